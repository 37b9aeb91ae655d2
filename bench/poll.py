"""``poll_calls``: the Lidarr HTTP calls one status poll makes, with 1, 100 and 10,000
open requests.

The app runs in process against the Lidarr simulator; every request its HTTP
client sends to Lidarr during one ``DownloadWorker.poll()`` is counted (the
background loops are stopped first, so nothing else talks to Lidarr meanwhile).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import insert, select

from bench.inprocess import running_app
from bench.processes import LIDARR_KEY, USER
from tastemaker.auth.models import User
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.simulators.lidarr import LidarrSimConfig
from tastemaker.simulators.lidarr import create_app as lidarr_simulator
from tastemaker.simulators.runner import BackgroundServer

OPEN_COUNTS = (1, 100, 10_000)


def _request(user_id: int, n: int) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "kind": "album",
        "target_key": f"00000000-0000-4000-8000-{n:012d}",
        "artist_name": f"Artist {n}",
        "artist_mbid": f"10000000-0000-4000-8000-{n:012d}",
        "album_title": f"Album {n}",
        "album_mbid": f"00000000-0000-4000-8000-{n:012d}",
        "lidarr_artist_id": 100_000 + n,
        "lidarr_album_id": 100_000 + n,
        # Half are still searching, half downloading: both are followed by polls.
        "status": DownloadStatus.SEARCHING if n % 2 else DownloadStatus.DOWNLOADING,
    }


async def _measure(lidarr_url: str) -> dict[str, int]:
    async with running_app(lidarr_url=lidarr_url, lidarr_api_key=LIDARR_KEY) as (app, _):
        await app.state.downloads.aclose()  # only the poll below may talk to Lidarr
        await app.state.services.aclose()  # nor may the health monitor
        calls: list[str] = []

        async def count(response: httpx.Response) -> None:
            if str(response.request.url).startswith(lidarr_url):
                calls.append(f"{response.request.method} {response.request.url.path}")

        app.state.http.event_hooks["response"].append(count)
        async with app.state.db.sessionmaker() as session:
            user_id = await session.scalar(select(User.id).where(User.username == USER))
            assert user_id is not None
        counts: dict[str, int] = {}
        made = 0
        for wanted in OPEN_COUNTS:
            async with app.state.db.sessionmaker() as session:
                await session.execute(
                    insert(DownloadRequest), [_request(user_id, n) for n in range(made, wanted)]
                )
                await session.commit()
            made = wanted
            calls.clear()
            await app.state.downloads.poll()
            counts[str(wanted)] = len(calls)
        return counts


def run() -> dict[str, Any]:
    with BackgroundServer(lidarr_simulator(LidarrSimConfig(api_key=LIDARR_KEY))) as lidarr:
        counts = asyncio.run(_measure(lidarr.url))
    return {"poll_calls": counts}
