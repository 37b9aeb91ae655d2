"""``workers_ratio``: the warm library endpoint's requests/s with two app processes ÷ one.

``tastemaker serve --workers N`` on PostgreSQL (a throw-away database of its own
on ``BENCH_POSTGRES``, default ``127.0.0.1:5432``), the Subsonic simulator in
another process, and the load generator (``bench.load``) in a third, so the
client never shares the server's interpreter. On a two-core machine the client's
own CPU share is reported next to the figures: it takes from what the workers get.
Reference: requests/s, p50 and p99 of each (p99: the worst window's).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
from typing import Any

import asyncpg

from bench.processes import ROOT, AppProcess, SimProcess, cpu_seconds

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres@127.0.0.1:5432")
WINDOW_SECONDS = 3.0
# One and two workers take turns (ABBA, three times) while both servers are up, so a
# neighbour's load that comes and goes weighs on both alike.
ORDER = (1, 2, 2, 1) * 3
CONCURRENCY = 16
ENDPOINT = "/api/library/albums?limit=50"


async def _database(name: str, *, create: bool) -> None:
    connection = await asyncpg.connect(f"postgresql://{POSTGRES}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def _load(app: AppProcess, cookies: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.load", app.url + ENDPOINT]
    command += [f"--cookie={k}={v}" for k, v in cookies.items()]
    command += ["--seconds", str(WINDOW_SECONDS), "--concurrency", str(CONCURRENCY)]
    app_cpu = cpu_seconds(app.pid)
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if finished.returncode:
        raise RuntimeError(f"the load generator failed: {finished.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(finished.stdout)
    result["app_cpu_seconds"] = cpu_seconds(app.pid) - app_cpu
    return result


def _summary(windows: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = sum(w["seconds"] for w in windows)
    cores = os.cpu_count() or 1
    return {
        "rps": sum(w["requests"] for w in windows) / seconds,
        "p50_ms": statistics.median(w["p50_ms"] for w in windows),
        "p99_ms": max(w["p99_ms"] for w in windows),
        "failed_requests": sum(w["failures"] for w in windows),
        "failure_kinds": sorted({kind for w in windows for kind in w["failure_kinds"]}),
        "client_cpu_share": sum(w["cpu_seconds"] for w in windows) / (seconds * cores),
        # the load generator's warm-up second is in the app's CPU time too
        "app_cpu_share": sum(w["app_cpu_seconds"] for w in windows)
        / ((seconds + len(windows)) * cores),
    }


def run() -> dict[str, Any]:
    names = {n: f"tastemaker_bench_{os.getpid()}_{n}" for n in (1, 2)}
    for name in names.values():
        asyncio.run(_database(name, create=True))
    try:
        with contextlib.ExitStack() as stack:
            navidrome = stack.enter_context(SimProcess(1000))
            apps = {
                n: stack.enter_context(
                    AppProcess(
                        navidrome_url=navidrome.url,
                        database_url=f"postgresql+asyncpg://{POSTGRES}/{name}",
                        workers=n,
                    )
                )
                for n, name in names.items()
            }
            cookies = {n: app.sign_in()[0] for n, app in apps.items()}
            windows: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            for n in ORDER:
                windows[n].append(_load(apps[n], cookies[n]))
    finally:
        for name in names.values():
            asyncio.run(_database(name, create=False))
    one, two = _summary(windows[1]), _summary(windows[2])
    return {
        "workers_ratio": two["rps"] / one["rps"],
        "reference": {"warm_library_load": {"workers_1": one, "workers_2": two}},
    }
