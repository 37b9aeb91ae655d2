"""``workers_ratio``: the warm library endpoint's requests/s with two app processes ÷ one.

``tastemaker serve --workers N`` on PostgreSQL (a throw-away database of its own
on ``BENCH_POSTGRES``, default ``127.0.0.1:5432``), the Subsonic simulator in
another process, and ``wrk`` as the load generator (Debian's package; ``make bench``
installs it): written in C, it takes a few per cent of a core where a Python client
took a quarter of the machine from the workers it measures. Its CPU share is
reported next to the figures. Reference: requests/s, p50 and p99 of each (p99: the
worst window's), and requests per second of the app's own CPU time.

With the load generator on the same two cores, the ratio cannot pass
``2 × app / (app + wrk)``, where ``app`` and ``wrk`` are each one's CPU time per
request: two workers get only what ``wrk`` leaves of the second core. A cheaper
request lowers that ceiling; requests per app CPU-second say whether the workers
themselves scale.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import statistics
import subprocess
from typing import Any

import asyncpg

from bench.processes import AppProcess, SimProcess, cpu_seconds

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres@127.0.0.1:5432")
WINDOW_SECONDS = 3  # whole seconds: what wrk takes
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


def _wrk(url: str, cookies: dict[str, str], seconds: int) -> str:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    command = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency"]
    finished = subprocess.run(
        [*command, "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=False
    )
    if finished.returncode:
        raise RuntimeError(f"wrk failed: {finished.stderr[-2000:]}")
    return finished.stdout


def _ms(text: str) -> float:
    """wrk's latency ("830.00us", "12.5ms", "1.02s") in milliseconds."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(f"not a wrk latency: {text!r}")


def _find(pattern: str, report: str) -> re.Match[str]:
    found = re.search(pattern, report, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk's report lacks {pattern!r}:\n{report}")
    return found


def _load(app: AppProcess, cookies: dict[str, str]) -> dict[str, Any]:
    _wrk(app.url + ENDPOINT, cookies, 1)  # warm-up: connections open, every cache filled
    app_cpu = cpu_seconds(app.pid)
    client_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = _wrk(app.url + ENDPOINT, cookies, WINDOW_SECONDS)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests, seconds, unit = _find(r"(\d+) requests in ([\d.]+)(m?s)", report).groups()
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = re.search(r"Socket errors: (.*)", report)
    return {
        "requests": int(requests),
        "seconds": float(seconds) / (1000 if unit == "ms" else 1),
        # A line of its own: the thread stats' "+/- Stdev" column also ends in "…99%".
        "p50_ms": _ms(_find(r"^\s*50%\s+(\S+)$", report).group(1)),
        "p99_ms": _ms(_find(r"^\s*99%\s+(\S+)$", report).group(1)),
        "cpu_seconds": after.ru_utime + after.ru_stime - client_cpu.ru_utime - client_cpu.ru_stime,
        "failures": int(failures.group(1)) if failures else 0,
        "failure_kinds": [kind.group(0) for kind in (failures, errors) if kind],
        "app_cpu_seconds": cpu_seconds(app.pid) - app_cpu,
    }


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
        "app_cpu_share": sum(w["app_cpu_seconds"] for w in windows) / (seconds * cores),
        "requests_per_app_cpu_second": sum(w["requests"] for w in windows)
        / sum(w["app_cpu_seconds"] for w in windows),
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
