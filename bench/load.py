"""A loopback load generator in its own process: ``python -m bench.load URL --cookie k=v``.

``--concurrency`` clients (asyncio tasks sharing one httpx connection pool) send
GETs back to back for ``--seconds`` after a one-second warm-up, and one JSON line
reports requests/s, the latency p50/p99 and this process's CPU seconds, so the
caller can say how much of the machine the client itself took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import httpx


async def _load(
    url: str, cookies: dict[str, str], seconds: float, concurrency: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    failures: list[str] = []
    async with httpx.AsyncClient(cookies=cookies, limits=limits, timeout=30) as http:
        measuring = False
        stop_at = time.perf_counter() + 1 + seconds

        async def client() -> None:
            while (now := time.perf_counter()) < stop_at:
                try:
                    response = await http.get(url)
                except httpx.HTTPError as error:  # counted, not fatal: a figure, not a test
                    failures.append(type(error).__name__)
                    continue
                if response.status_code != 200:
                    failures.append(str(response.status_code))
                elif measuring:
                    latencies.append(time.perf_counter() - now)

        tasks = [asyncio.create_task(client()) for _ in range(concurrency)]
        await asyncio.sleep(1)  # warm-up: connections open, every worker's cache filled
        measuring = True
        cpu_before = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
    ordered = sorted(latencies) or [float("nan")]
    return {
        "requests": len(ordered),
        "seconds": elapsed,
        "rps": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "cpu_seconds": cpu,
        "failures": len(failures),
        "failure_kinds": sorted(set(failures)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--cookie", action="append", default=[], help="name=value")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    cookies = dict(item.split("=", 1) for item in args.cookie)
    print(json.dumps(asyncio.run(_load(args.url, cookies, args.seconds, args.concurrency))))


if __name__ == "__main__":
    main()
