"""How quickly /api/library answers on a 100,000-track library (the simulator's large mode).

    .venv/bin/python bench/library_api.py [--tracks 100000] [--rounds 20]

Starts the Subsonic simulator with ``large_library(tracks)`` on a loopback port and
Tastemaker on a throw-away SQLite database, signs in through the API, then times each
call: the first (cold: Navidrome is asked) and the median and worst of the next
``rounds`` (warm: the per-user listing cache answers, except for search and streams,
which always go to Navidrome). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from tastemaker import migrate
from tastemaker.app import create_app
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.settings import Settings
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import large_library
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_simulator

PASSWORD = "bench-password-123"  # noqa: S105  # a throw-away local account


async def timed(http: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = await http.get(path, headers=headers)
    await response.aread()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 206), (path, response.status_code, response.text[:200])
    return elapsed


async def main(tracks: int, rounds: int, albums_per_artist: int) -> None:
    started = time.perf_counter()
    library = Library.from_catalogue(large_library(tracks, albums_per_artist=albums_per_artist))
    load_s = time.perf_counter() - started
    navidrome = subsonic_simulator(library, SubsonicConfig())
    with tempfile.TemporaryDirectory() as tmp, BackgroundServer(navidrome) as server:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        settings = Settings(
            _env_file=None,
            database_url=url,
            data_dir=Path(tmp),
            secret_key="bench-secret-key-not-for-production",  # noqa: S106
            navidrome_url=server.url,
            navidrome_user="demo",
            navidrome_password="tastemaker-demo",  # noqa: S106  # the simulator's demo account
        )
        app = create_app(settings)
        async with LifespanManager(app):
            async with app.state.db.sessionmaker() as session:
                await auth_service.create_user(session, "bench", PASSWORD, role=Role.ADMIN)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                await http.post("/api/auth/login", json={"username": "bench", "password": PASSWORD})
                artists = (await http.get("/api/library/artists?limit=1")).json()
                app.state.library_cache.invalidate()
                albums = (await http.get("/api/library/albums?limit=1&offset=5000")).json()
                album_id = albums["items"][0]["id"]
                artist_id = albums["items"][0]["artist_id"]
                album = (await http.get(f"/api/library/albums/{album_id}")).json()
                song_id = album["songs"][0]["id"]
                app.state.library_cache.invalidate()
                calls = [
                    ("artists, first page", "/api/library/artists?limit=100", None),
                    ("artists, page at 9,000", "/api/library/artists?limit=100&offset=9000", None),
                    ("artists, name filter", "/api/library/artists?query=zan", None),
                    ("albums, page at 5,000", "/api/library/albums?limit=60&offset=5000", None),
                    ("albums, newest", "/api/library/albums?order=newest&limit=60", None),
                    ("an artist", f"/api/library/artists/{artist_id}", None),
                    ("an album", f"/api/library/albums/{album_id}", None),
                    ("songs search", "/api/library/songs?query=silver&limit=50", None),
                    (
                        "song stream, Range 0-99",
                        f"/api/library/songs/{song_id}/stream",
                        {"Range": "bytes=0-99"},
                    ),
                    ("/library page", "/library", None),
                    ("dashboard page", "/", None),
                ]
                rows = []
                for label, path, headers in calls:
                    cold = await timed(http, path, headers)
                    warm = [await timed(http, path, headers) for _ in range(rounds)]
                    rows.append((label, cold, statistics.median(warm), max(warm)))
    print(
        f"Library: {tracks:,} tracks, {artists['total']:,} artists, {albums['total']:,} albums "
        f"(simulator built in {load_s:.1f} s). Rounds: {rounds}.\n"
    )
    print("| call | cold ms | warm median ms | warm max ms |")
    print("| --- | ---: | ---: | ---: |")
    for label, cold, median, worst in rows:
        print(f"| {label} | {cold:.1f} | {median:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--albums-per-artist", type=int, default=1, help="1 gives 10,000 artists at 100,000 tracks"
    )
    args = parser.parse_args()
    asyncio.run(main(args.tracks, args.rounds, args.albums_per_artist))
