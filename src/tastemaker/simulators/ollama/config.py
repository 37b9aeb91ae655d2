"""How the Ollama simulator behaves: its installed models, its speed and its misbehaviour.

A mode can be set up front (``OllamaSimConfig(mode="slow")``) or switched while the
simulator runs (``POST /_sim/mode``), so a demo or a test can make a healthy Ollama
turn bad without restarting anything.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

SimMode = Literal[
    "normal",
    "hallucinate",  # some artists are invented: not in the catalogue, so Lidarr cannot find them
    "owned",  # some artists are ones the demo user already owns
    "invalid_json",  # the answer is cut at the token limit: JSON that does not parse
    "fenced_json",  # ```json fences and chatter around the JSON
    "prose",  # chatter before and after bare JSON
    "duplicates",  # the same artist twice (exactly, and differently spelled)
    "missing_fields",  # some items lack a required field
    "slow",  # tokens arrive ``slow_token_delay`` apart
    "unknown_model",  # no model is pulled: 404 for chat and show, an empty /api/tags
    "error_500",  # chat fails with 500 as when the runner crashes
    "error_midstream",  # an {"error": …} line after output started, then the stream ends
    "hang",  # chat never answers (until the client gives up)
    "cut",  # the connection drops in the middle of the answer
    "garbage",  # chat answers 200 with an HTML page, as a misconfigured proxy in front does
]
MODES: tuple[SimMode, ...] = get_args(SimMode)


class SimModel(BaseModel):
    """One model "pulled" on the simulated server."""

    model_config = ConfigDict(frozen=True)

    name: str  # always with its tag, as /api/tags lists it
    family: str
    parameter_size: str
    quantization_level: str = "Q4_K_M"
    size: int  # bytes
    context_length: int
    capabilities: tuple[str, ...] = ("completion", "tools")

    @property
    def architecture(self) -> str:
        return self.family


DEFAULT_MODELS = (
    SimModel(
        name="llama3.2:latest",
        family="llama",
        parameter_size="3.2B",
        size=2_019_393_189,
        context_length=131_072,
    ),
    SimModel(
        name="qwen3:8b",
        family="qwen3",
        parameter_size="8.2B",
        size=5_225_376_047,
        context_length=40_960,
        capabilities=("completion", "tools", "thinking"),
    ),
)


class OllamaSimConfig(BaseModel):
    """Everything that shapes the simulator's answers; same config and prompt, same answer."""

    model_config = ConfigDict(frozen=True)

    models: tuple[SimModel, ...] = DEFAULT_MODELS
    mode: SimMode = "normal"
    seed: int = 1969
    version: str = "0.12.6"
    token_delay: float = Field(0.0, ge=0)  # seconds between streamed tokens
    slow_token_delay: float = Field(0.25, ge=0)  # the same, in "slow" mode
    default_count: int = Field(8, ge=1, le=40)  # when the prompt asks for no number
    # In hallucinate / owned / duplicates / missing_fields: the share of bad items
    # (at least one). The rest stay good, so a pipeline has something to salvage.
    bad_fraction: float = Field(0.5, ge=0, le=1)
    # Generation speed the reported eval_duration claims at least, so the stats look
    # like a real model's even when the simulator answers instantly.
    tokens_per_second: float = Field(45.0, gt=0)
    hang_seconds: float = Field(3600.0, gt=0)  # how long "hang" waits for a client that stays


class SimControl(BaseModel):
    """The body of ``POST /_sim/mode``: fields left out keep their value."""

    mode: SimMode | None = None
    token_delay: float | None = Field(None, ge=0)
    slow_token_delay: float | None = Field(None, ge=0)
    seed: int | None = None
    bad_fraction: float | None = Field(None, ge=0, le=1)
    default_count: int | None = Field(None, ge=1, le=40)
