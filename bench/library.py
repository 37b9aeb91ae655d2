"""``/api/library`` against the Subsonic server it wraps, and at 1,000 against 100,000 tracks.

- ``library_cold_ratio``: ``/api/library/albums?limit=50`` right after the user's
  listing cache was emptied (starring or unstarring an album empties it, and the
  simulator is idle again before the timed call), ÷ the ``getAlbumList2`` call it
  makes, sent straight to the simulator by the same client; medians, alternated.
- ``library_warm_ratio``: the same call answered from the cache ÷ the direct call.
- ``library_100k_ratio``: the median latency of the artists, albums and search
  endpoints on a 100,000-track simulator ÷ on a 1,000-track one (the worst of the
  three ratios; each one is in the reference figures).

Simulator, app and client are three processes; the client is ``bench.client``'s.
The cold and warm figures of each endpoint at both sizes are reference figures.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from bench.client import LeanClient
from bench.processes import AppProcess, SimProcess

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


def _endpoints(http: LeanClient) -> dict[str, dict[str, float]]:
    # The demo's own artists open both libraries: the same query finds them in each.
    _, body = http.request("GET", "/api/library/artists?limit=1")
    first = json.loads(body)["items"][0]["name"]
    calls = {
        "artists": ("/api/library/artists?limit=100", None),
        "albums": (ALBUMS, None),
        "search": ("/api/library/search", {"query": first.split()[0]}),
    }
    figures: dict[str, dict[str, float]] = {}
    for name, (url, params) in calls.items():
        cold = http.timed_get(url, params)
        warm = [http.timed_get(url, params) for _ in range(ROUNDS)]
        figures[name] = {"cold_ms": cold * 1000, "median_ms": statistics.median(warm) * 1000}
    return figures


def _measure(tracks: int, cold_warm: bool) -> dict[str, Any]:
    with (
        SimProcess(tracks) as sim,
        AppProcess(navidrome_url=sim.url) as app,
        app.lean_client() as http,
    ):
        result: dict[str, Any] = {"endpoints": _endpoints(http)}
        if cold_warm:
            result["cold_warm"] = _cold_and_warm(sim, http)
        return result


def run() -> dict[str, Any]:
    small = _measure(1_000, cold_warm=True)
    large = _measure(100_000, cold_warm=False)
    ratios = {
        name: large["endpoints"][name]["median_ms"] / small["endpoints"][name]["median_ms"]
        for name in small["endpoints"]
    }
    return {
        "library_cold_ratio": small["cold_warm"]["cold"],
        "library_warm_ratio": small["cold_warm"]["warm"],
        "library_100k_ratio": max(ratios.values()),
        "reference": {
            "library_albums_ms": {k: v for k, v in small["cold_warm"].items() if k.endswith("_ms")},
            "library_100k_ratio_each": ratios,
            "library_1k_endpoints_ms": small["endpoints"],
            "library_100k_endpoints_ms": large["endpoints"],
        },
    }
