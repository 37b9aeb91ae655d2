"""Streaming audio through Tastemaker: throughput against the direct path, and memory.

``stream_throughput_ratio``: one client downloads a 200 MB file from the Subsonic
simulator directly and through ``/api/library/songs/{id}/stream``, alternately,
several times; the ratio of the median rates. ``stream_rss_growth_mb``: ten clients
stream 100 MB each through the app at once while its resident memory is sampled.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx

from bench.processes import AppProcess, SimProcess, big_file, rss_mb

FILE_MB = 200
CLIENTS = 10
CLIENT_MB = 100
ROUNDS = 3
READ_CHUNK = 256 * 1024


async def _download(
    http: httpx.AsyncClient, url: str, params: Any = None, headers: Any = None
) -> tuple[int, float]:
    started = time.perf_counter()
    received = 0
    async with http.stream("GET", url, params=params, headers=headers) as response:
        assert response.status_code in (200, 206), (url, response.status_code)
        async for chunk in response.aiter_raw(READ_CHUNK):
            received += len(chunk)
    return received, time.perf_counter() - started


async def _measure(sim: SimProcess, app: AppProcess) -> dict[str, Any]:
    direct_url = f"{sim.url}/rest/stream"
    async with app.client(timeout=120) as http:
        song_id = sim.song_id
        through = f"/api/library/songs/{song_id}/stream"
        await _download(http, through)  # warm both ends (imports, connections, page cache)
        direct_rates: list[float] = []
        app_rates: list[float] = []
        for _ in range(ROUNDS):
            size, seconds = await _download(http, direct_url, sim.subsonic_query(id=song_id))
            assert size == FILE_MB * 1024 * 1024, size
            direct_rates.append(size / seconds)
            size, seconds = await _download(http, through)
            assert size == FILE_MB * 1024 * 1024, size
            app_rates.append(size / seconds)

        baseline = rss_mb(app.pid)
        samples = [baseline]
        done = asyncio.Event()

        async def sample() -> None:
            while not done.is_set():
                samples.append(rss_mb(app.pid))
                await asyncio.sleep(0.02)

        sampler = asyncio.create_task(sample())
        wanted = {"Range": f"bytes=0-{CLIENT_MB * 1024 * 1024 - 1}"}
        results = await asyncio.gather(
            *(_download(http, through, headers=wanted) for _ in range(CLIENTS))
        )
        done.set()
        await sampler
        assert all(size == CLIENT_MB * 1024 * 1024 for size, _ in results)
    direct = statistics.median(direct_rates)
    proxied = statistics.median(app_rates)
    return {
        "stream_throughput_ratio": proxied / direct,
        "stream_rss_growth_mb": max(samples) - baseline,
        "reference": {
            "stream_direct_mb_s": direct / 1e6,
            "stream_app_mb_s": proxied / 1e6,
            "stream_rss_baseline_mb": baseline,
            "stream_rss_peak_mb": max(samples),
        },
    }


def run() -> dict[str, Any]:
    with (
        big_file(FILE_MB) as path,
        SimProcess(1000, big_file=path) as sim,
        AppProcess(navidrome_url=sim.url) as app,
    ):
        return asyncio.run(_measure(sim, app))
