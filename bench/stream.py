"""Streaming audio through Tastemaker: throughput against the direct path, and memory.

``stream_throughput_ratio``: one client downloads a 200 MB file from the Subsonic
simulator directly and through ``/api/library/songs/{id}/stream``, alternately,
several times; the ratio of the median rates. ``stream_rss_growth_mb``: ten clients
stream 100 MB each through the app at once (one thread each) while its resident
memory is sampled. The client is ``bench.client``'s: it reads into one buffer.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.client import LeanClient
from bench.processes import AppProcess, SimProcess, big_file, rss_mb

FILE_MB = 200
CLIENTS = 10
CLIENT_MB = 100
ROUNDS = 3


def _measure(sim: SimProcess, app: AppProcess) -> dict[str, Any]:
    direct_url = f"{sim.url}/rest/stream"
    song_id = sim.song_id
    through = f"/api/library/songs/{song_id}/stream"
    with app.lean_client() as http:
        http.download(through)  # warm both ends (imports, connections, page cache)
        direct_rates: list[float] = []
        app_rates: list[float] = []
        for _ in range(ROUNDS):
            size, seconds = http.download(direct_url, sim.subsonic_query(id=song_id))
            assert size == FILE_MB * 1024 * 1024, size
            direct_rates.append(size / seconds)
            size, seconds = http.download(through)
            assert size == FILE_MB * 1024 * 1024, size
            app_rates.append(size / seconds)
        headers = dict(http.headers)

    baseline = rss_mb(app.pid)
    samples = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_mb(app.pid))
            time.sleep(0.02)

    def listener(_: int) -> int:
        wanted = {"Range": f"bytes=0-{CLIENT_MB * 1024 * 1024 - 1}"}
        with LeanClient(app.url, headers) as own:
            size, _seconds = own.download(through, headers=wanted)
        return size

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            sizes = list(pool.map(listener, range(CLIENTS)))
    finally:
        done.set()
        sampler.join()
    assert all(size == CLIENT_MB * 1024 * 1024 for size in sizes), sizes
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
        return _measure(sim, app)
