"""Typed answers of the Ollama client: what the app reads from Ollama, nothing more.

The official ``ollama`` package has its own pydantic models, but they are loose (every
field optional, ``list()`` entries expose ``model`` and not ``name``) and tied to its
version. These are the app's stable view; ``client.py`` converts into them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OllamaVersion(_Frozen):
    version: str


class OllamaModel(_Frozen):
    """One installed model, as listed by ``GET /api/tags``."""

    name: str  # "name:tag", e.g. "llama3.2:latest"; what chat() needs as ``model``
    modified_at: datetime | None = None
    size: int | None = None  # bytes on disk
    digest: str | None = None
    family: str | None = None
    parameter_size: str | None = None  # "3.2B"
    quantization_level: str | None = None  # "Q4_K_M"


class OllamaModelInfo(_Frozen):
    """Details of one model, from ``POST /api/show``."""

    name: str
    capabilities: tuple[str, ...] = ()  # "completion", "tools", "thinking", "vision"…
    family: str | None = None
    parameter_size: str | None = None
    quantization_level: str | None = None
    context_length: int | None = None  # from model_info["<arch>.context_length"]
    parameters: str | None = None  # Modelfile parameters, as text
    template: str | None = None
    modified_at: datetime | None = None

    @property
    def can_chat(self) -> bool:
        # Servers older than capabilities did not report them; assume chat works there.
        return not self.capabilities or "completion" in self.capabilities


class ChatMessage(_Frozen):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatStats(_Frozen):
    """The metrics of a finished answer. Ollama omits any of them at will (``omitempty``)."""

    done_reason: str | None = None  # "stop", "length" (hit num_predict), "load"…
    total_duration: int | None = None  # nanoseconds, like every duration here
    load_duration: int | None = None
    prompt_eval_count: int | None = None  # prompt tokens
    prompt_eval_duration: int | None = None
    eval_count: int | None = None  # completion tokens
    eval_duration: int | None = None

    @property
    def tokens_per_second(self) -> float | None:
        if not self.eval_count or not self.eval_duration:
            return None
        return self.eval_count / self.eval_duration * 1e9

    @property
    def truncated(self) -> bool:
        """The model stopped at its token limit, so structured output is likely cut short."""
        return self.done_reason == "length"


class ChatResult(_Frozen):
    """A whole non-streamed answer. ``content`` is raw text: parse and validate it yourself."""

    model: str
    content: str
    stats: ChatStats
