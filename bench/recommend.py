"""Recommendation runs: prompt size against library size, first card, whole-run overhead.

- ``prompt_tokens_ratio``: a run on a 100,000-track library and one on a
  1,000-track library (in process, an instant model); the prompt tokens of each
  run's first request, counted by the Ollama simulator's tokenizer, divided.
- ``first_card_ratio``: ``tastemaker serve`` in its own process, the Ollama
  simulator writing ``TOKEN_DELAY`` s per token. From the moment the page's
  "Generate new" is posted, the time until the page (a client that follows the
  page's own htmx polling, as a browser does) receives the first card ÷ the time
  until the simulator finished emitting the first item of its answer.
- ``run_overhead_ratio``: in the same run, its wall time (start to ``completed``,
  watched through the API every 50 ms) ÷ the time the simulator spent generating
  (from each chat request to its last byte, added up over the run's rounds).

Reference: the seconds ``build_profile`` takes on the 100,000-track library.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.inprocess import running_app
from bench.processes import (
    LIDARR_KEY,
    NAVIDROME_PASSWORD,
    NAVIDROME_USER,
    OLLAMA_MODEL,
    AppProcess,
    SimProcess,
)
from tastemaker.integrations.navidrome import NavidromeClient
from tastemaker.integrations.navidrome.auth import NavidromeCredentials
from tastemaker.recommendations.profile import build_profile
from tastemaker.recommendations.proposals import ItemScanner
from tastemaker.simulators.lidarr import LidarrSimConfig
from tastemaker.simulators.lidarr import create_app as lidarr_simulator
from tastemaker.simulators.ollama import OllamaSimConfig
from tastemaker.simulators.ollama import create_app as ollama_simulator
from tastemaker.simulators.ollama.answer import prompt_tokens
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import large_library
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_simulator

TOKEN_DELAY = 0.025  # 40 tokens/s: a small model on a consumer GPU
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]
_HX_GET = re.compile(r'id="run-status"[^>]*?hx-get="([^"]+)"[^>]*?hx-trigger="([^"]+)"')
_CARD = re.compile(r'<article id="rec-\d+"')


async def _finish(http: httpx.AsyncClient, run_id: int, every: float = 0.05) -> float:
    """Wait until the run is over; the moment it was seen so."""
    while True:
        run = (await http.get(f"/api/recommendations/runs/{run_id}")).json()
        if run["status"] != "running":
            assert run["status"] == "completed", run
            return time.perf_counter()
        await asyncio.sleep(every)


# --- prompt size -----------------------------------------------------------------------


async def _first_prompt(tracks: int) -> tuple[int, float]:
    library = Library.from_catalogue(large_library(tracks, albums_per_artist=1))
    ollama_app = ollama_simulator(OllamaSimConfig())
    with (
        BackgroundServer(subsonic_simulator(library, SubsonicConfig())) as navidrome,
        BackgroundServer(lidarr_simulator(LidarrSimConfig(api_key=LIDARR_KEY))) as lidarr,
        BackgroundServer(ollama_app) as ollama,
    ):
        async with httpx.AsyncClient() as raw:
            client = NavidromeClient(
                raw, navidrome.url, NavidromeCredentials(NAVIDROME_USER, NAVIDROME_PASSWORD)
            )
            started = time.perf_counter()
            await build_profile(client)
            profile_seconds = time.perf_counter() - started
        async with running_app(
            navidrome_url=navidrome.url,
            lidarr_url=lidarr.url,
            lidarr_api_key=LIDARR_KEY,
            ollama_url=ollama.url,
            ollama_model=OLLAMA_MODEL,
        ) as (_, http):
            run = (await http.post("/api/recommendations/runs")).json()
            await _finish(http, run["id"])
        chats = [r for r in ollama_app.state.sim.requests if r.get("messages")]
        return prompt_tokens(chats[0]["messages"]), profile_seconds


# --- first card and overhead -----------------------------------------------------------


@dataclass
class Chat:
    started: float
    first_item: float | None = None
    ended: float | None = None


@dataclass
class EmissionClock:
    """ASGI wrapper of the Ollama simulator: when each answer began, first item, ended."""

    app: Callable[[Scope, Receive, Send], Awaitable[None]]
    chats: list[Chat] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/api/chat":
            await self.app(scope, receive, send)
            return
        chat = Chat(time.perf_counter())
        scanner = ItemScanner()
        pending = b""

        async def timed(message: Message) -> None:
            nonlocal pending
            await send(message)
            if message["type"] != "http.response.body":
                return
            now = time.perf_counter()
            pending += message.get("body", b"")
            *lines, pending = pending.split(b"\n")
            for line in lines:
                content = json.loads(line).get("message", {}).get("content", "")
                if scanner.feed(content) and chat.first_item is None:
                    chat.first_item = now
            if not message.get("more_body", False):
                chat.ended = now

        await self.app(scope, receive, timed)
        if scanner.objects_seen:  # not the empty chat that only loads a model
            self.chats.append(chat)


async def _follow_page(http: httpx.AsyncClient, csrf: str) -> float | None:
    """Press "Generate new" as htmx does, then follow the progress element's own
    ``hx-get``/``hx-trigger`` (``load`` at once, ``every N s`` after a pause) until a
    card arrives; the moment it did."""
    hx = {"HX-Request": "true"}
    answer = await http.post("/recommendations/runs", data={"csrf_token": csrf}, headers=hx)
    html = answer.text
    while not _CARD.search(html):
        poll = _HX_GET.search(html)
        if poll is None:
            return None  # the run ended without a card
        url, trigger = poll.groups()
        every = re.search(r"every (\d+(?:\.\d+)?)(ms|s)", trigger)
        asks_again_at_once = "load" in [t.strip() for t in trigger.split(",")]
        if every and not asks_again_at_once:
            await asyncio.sleep(float(every[1]) / (1000 if every[2] == "ms" else 1))
        html = (await http.get(url.replace("&amp;", "&"), headers=hx)).text
    return time.perf_counter()


async def _first_card(app: AppProcess, clock: EmissionClock) -> dict[str, float]:
    async with app.client() as http:
        csrf = http.headers["X-CSRF-Token"]
        await http.get("/recommendations")
        started = time.perf_counter()
        first_card = await _follow_page(http, csrf)
        run_id = (await http.get("/api/recommendations/runs?limit=1")).json()["items"][0]["id"]
        done = await _finish(http, run_id)
    assert first_card is not None, "the run found no card"
    first_item = clock.chats[0].first_item
    assert first_item is not None
    generating = sum((c.ended or c.started) - c.started for c in clock.chats)
    return {
        "first_card_ratio": (first_card - started) / (first_item - started),
        "run_overhead_ratio": (done - started) / generating,
        "first_item_s": first_item - started,
        "first_card_s": first_card - started,
        "run_s": done - started,
        "generating_s": generating,
        "rounds": len(clock.chats),
    }


def _live_run() -> dict[str, float]:
    clock = EmissionClock(ollama_simulator(OllamaSimConfig(token_delay=TOKEN_DELAY)))
    with (
        SimProcess(1000) as navidrome,
        BackgroundServer(lidarr_simulator(LidarrSimConfig(api_key=LIDARR_KEY))) as lidarr,
        BackgroundServer(clock) as ollama,
        AppProcess(
            navidrome_url=navidrome.url, lidarr_url=lidarr.url, ollama_url=ollama.url
        ) as app,
    ):
        return asyncio.run(_first_card(app, clock))


def run() -> dict[str, Any]:
    small, _ = asyncio.run(_first_prompt(1_000))
    large, profile_seconds = asyncio.run(_first_prompt(100_000))
    live = _live_run()
    return {
        "prompt_tokens_ratio": large / small,
        "first_card_ratio": live["first_card_ratio"],
        "run_overhead_ratio": live["run_overhead_ratio"],
        "reference": {
            "prompt_tokens_1k": small,
            "prompt_tokens_100k": large,
            "taste_profile_100k_s": profile_seconds,
            "recommendation_run": {k: v for k, v in live.items() if not k.endswith("_ratio")},
        },
    }
