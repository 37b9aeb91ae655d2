"""The simulated model's output text for one chat request, and its tokens and timings.

``recommend.py`` decides what to say and ``structured.py`` in which JSON shape; this
module turns that into the text a model would emit in the current mode (bare JSON,
JSON cut at the token limit, fenced or wrapped in chatter), splits it into tokens to
stream, and computes Ollama's metrics for it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .config import OllamaSimConfig, SimMode
from .recommend import recommend
from .structured import render

# Roughly how a BPE tokenizer cuts English and JSON: short word pieces with their
# leading space, short digit runs, single punctuation marks. The pieces always join
# back into the exact text.
_TOKEN = re.compile(r"\s*[A-Za-z]{1,6}|\s*\d{1,3}|\s*[^\sA-Za-z\d]|\s+")
# What a chat template adds around each message (role markers, separators).
_TEMPLATE_TOKENS_PER_MESSAGE = 4
_PROMPT_NS_PER_TOKEN = 1_500_000  # about 650 prompt tokens/s, a laptop GPU
_COLD_LOAD_NS = 1_850_000_000
_WARM_LOAD_NS = 12_000_000
_OVERHEAD_NS = 3_000_000


@dataclass(frozen=True)
class Answer:
    text: str
    done_reason: str  # "stop", or "length" when the output hit the token limit


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def prompt_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """What the model reads: the system and user messages, in order."""
    return "\n".join(
        str(message.get("content") or "")
        for message in messages
        if message.get("role") in ("system", "user")
    )


def prompt_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    return sum(
        len(tokenize(str(message.get("content") or ""))) + _TEMPLATE_TOKENS_PER_MESSAGE
        for message in messages
    )


def compose(
    messages: Sequence[Mapping[str, Any]],
    schema: Any,
    config: OllamaSimConfig,
    mode: SimMode,
    seed: int,
) -> Answer:
    """The model's whole answer to ``messages`` with ``format=schema``."""
    picks = recommend(prompt_text(messages), config, mode, seed)
    value = render(picks, schema)
    if mode == "invalid_json":
        # The commonest real failure: the model runs out of num_predict mid-object.
        body = json.dumps(value, ensure_ascii=False)
        return Answer(body[: max(1, len(body) * 7 // 10)], "length")
    if mode == "fenced_json":
        body = json.dumps(value, ensure_ascii=False, indent=2)
        return Answer(
            "Here are my recommendations, based on your library:\n\n"
            f"```json\n{body}\n```\n\nEnjoy the listening!",
            "stop",
        )
    if mode == "prose":
        body = json.dumps(value, ensure_ascii=False)
        return Answer(
            f"Sure! Based on what you listen to, here is what I suggest:\n{body}\n"
            "These picks build on the artists you already love.",
            "stop",
        )
    return Answer(json.dumps(value, ensure_ascii=False), "stop")


def created_at() -> str:
    """RFC 3339 with nanoseconds, as Go's time.Time marshals (``…T20:31:14.123456789Z``)."""
    now = time.time_ns()
    seconds, nanos = divmod(now, 1_000_000_000)
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%dT%H:%M:%S}.{nanos:09d}Z"


def metrics(
    *,
    cold: bool,
    prompt_count: int,
    eval_count: int,
    elapsed_ns: int,
    config: OllamaSimConfig,
) -> dict[str, int]:
    """Ollama's final-chunk metrics (all in nanoseconds but the counts).

    The durations claim at least a real model's speed (``tokens_per_second``), or
    the true time taken when the simulator was slower (slow mode, token delays).
    """
    load = _COLD_LOAD_NS if cold else _WARM_LOAD_NS
    prompt_eval = prompt_count * _PROMPT_NS_PER_TOKEN
    evaluation = max(elapsed_ns, int(eval_count * 1e9 / config.tokens_per_second))
    return {
        "total_duration": load + prompt_eval + evaluation + _OVERHEAD_NS,
        "load_duration": load,
        "prompt_eval_count": prompt_count,
        "prompt_eval_duration": prompt_eval,
        "eval_count": eval_count,
        "eval_duration": evaluation,
    }
