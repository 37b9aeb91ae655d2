"""``/api/library`` against the Subsonic server it wraps, and at 1,000 against 100,000 tracks.

- ``library_cold_ratio``: ``/api/library/albums?limit=50`` right after the user's
  listing cache was emptied (starring or unstarring an album empties it, and the
  simulator is idle again before the timed call), ÷ the ``getAlbumList2`` call it
  makes, sent straight to the simulator by the same client; medians, alternated.
- ``library_warm_ratio``: the same call answered from the cache ÷ the direct call.
- ``library_100k_ratio``: the median latency of the artists, albums and search
  endpoints on a 100,000-track simulator ÷ on a 1,000-track one (the worst of the
  three ratios; each one is in the reference figures).

Both simulators and an app for each run side by side in processes of their own, and
the calls to the two sizes alternate; the client is ``bench.client``'s. The cold and
warm figures of each endpoint at both sizes are reference figures, and so is the
app's own CPU per call (from ``/proc``) for an empty route and the warm listing.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from bench.client import LeanClient
from bench.processes import AppProcess, SimProcess, cpu_seconds

ROUNDS = 60
ALBUMS = "/api/library/albums?limit=50"


def _cold_and_warm(sim: SimProcess, http: LeanClient) -> dict[str, float]:
    direct = f"{sim.url}/rest/getAlbumList2"

    def direct_params() -> dict[str, str | int]:
        return sim.subsonic_query(type="alphabeticalByName", size=50, offset=0)

    _, body = http.request("GET", ALBUMS)  # connections open
    album_id = json.loads(body)["items"][-1]["id"]
    http.timed_get(direct, direct_params())
    cold, warm, straight = [], [], []
    for n in range(ROUNDS):
        star, text = http.request(
            "PUT" if n % 2 == 0 else "DELETE", f"/api/library/albums/{album_id}/star"
        )
        assert star == 204, text
        cold.append(http.timed_get(ALBUMS))
        warm.append(http.timed_get(ALBUMS))
        straight.append(http.timed_get(direct, direct_params()))
    direct_s = statistics.median(straight)
    return {
        "cold": statistics.median(cold) / direct_s,
        "warm": statistics.median(warm) / direct_s,
        "direct_ms": direct_s * 1000,
        "cold_ms": statistics.median(cold) * 1000,
        "warm_ms": statistics.median(warm) * 1000,
    }


def _app_cpu_ms(app: AppProcess, http: LeanClient, url: str, calls: int = 300) -> float:
    """The app's own CPU per call (from /proc, so not the client's nor the simulator's)."""
    http.timed_get(url)
    before = cpu_seconds(app.pid)
    for _ in range(calls):
        http.timed_get(url)
    return (cpu_seconds(app.pid) - before) / calls * 1000


def _endpoints(small: LeanClient, large: LeanClient) -> dict[str, dict[str, dict[str, float]]]:
    """Each endpoint on both libraries, the calls alternating, so that whatever else the
    machine does weighs on both sizes alike."""
    # The demo's own artists open both libraries: the same query finds them in each.
    _, body = small.request("GET", "/api/library/artists?limit=1")
    first = json.loads(body)["items"][0]["name"]
    calls = {
        "artists": ("/api/library/artists?limit=100", None),
        "albums": (ALBUMS, None),
        "search": ("/api/library/search", {"query": first.split()[0]}),
    }
    figures: dict[str, dict[str, dict[str, float]]] = {"1k": {}, "100k": {}}
    for name, (url, params) in calls.items():
        cold = {
            size: http.timed_get(url, params) for size, http in (("1k", small), ("100k", large))
        }
        warm: dict[str, list[float]] = {"1k": [], "100k": []}
        for _ in range(ROUNDS):
            warm["1k"].append(small.timed_get(url, params))
            warm["100k"].append(large.timed_get(url, params))
        for size in figures:
            figures[size][name] = {
                "cold_ms": cold[size] * 1000,
                "median_ms": statistics.median(warm[size]) * 1000,
            }
    return figures


def run() -> dict[str, Any]:
    with (
        SimProcess(1_000) as small_sim,
        SimProcess(100_000) as large_sim,
        AppProcess(navidrome_url=small_sim.url) as small_app,
        AppProcess(navidrome_url=large_sim.url) as large_app,
        small_app.lean_client() as small,
        large_app.lean_client() as large,
    ):
        endpoints = _endpoints(small, large)
        cold_warm = _cold_and_warm(small_sim, small)
        cpu = {
            "empty_route": _app_cpu_ms(small_app, small, "/api/health/live"),
            "warm_albums": _app_cpu_ms(small_app, small, ALBUMS),
        }
    ratios = {
        name: endpoints["100k"][name]["median_ms"] / endpoints["1k"][name]["median_ms"]
        for name in endpoints["1k"]
    }
    return {
        "library_cold_ratio": cold_warm["cold"],
        "library_warm_ratio": cold_warm["warm"],
        "library_100k_ratio": max(ratios.values()),
        "reference": {
            "library_albums_ms": {k: v for k, v in cold_warm.items() if k.endswith("_ms")},
            "library_app_cpu_ms_per_call": cpu,
            "library_100k_ratio_each": ratios,
            "library_1k_endpoints_ms": endpoints["1k"],
            "library_100k_endpoints_ms": endpoints["100k"],
        },
    }
