"""A toast on any page when one of the user's requests became playable."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.db import utcnow
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tests.conftest import api_login, make_user


async def _request(app: FastAPI, user_id: int, title: str) -> int:
    async with app.state.db.sessionmaker() as session:
        row = DownloadRequest(
            user_id=user_id,
            kind="album",
            target_key=f"album-{title}",
            artist_name="The Copper Gardens",
            artist_mbid="00000000-0000-0000-0000-000000000001",
            album_title=title,
            album_mbid="00000000-0000-0000-0000-000000000002",
            status=DownloadStatus.DOWNLOADING,
        )
        session.add(row)
        await session.commit()
        return row.id


async def _complete(app: FastAPI, request_id: int) -> None:
    async with app.state.db.sessionmaker() as session:
        await session.execute(
            update(DownloadRequest)
            .where(DownloadRequest.id == request_id)
            .values(status=DownloadStatus.COMPLETED, completed_at=utcnow(), progress=100.0)
        )
        await session.commit()


async def test_a_completion_is_toasted_once_on_any_page(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    bob = await make_user(app, "bob")
    carol = await make_user(app, "carol")
    await api_login(client, "bob")
    await api_login(anonymous_client, "carol")
    bobs = await _request(app, bob.id, "Letters Home Night")
    await _request(app, carol.id, "Carol's Own Album")

    dashboard = await client.get("/")
    assert 'hx-get="/downloads/toasts"' in dashboard.text
    first = await client.get("/downloads/toasts")  # nothing yet; remembers when it looked
    assert "ready to play" not in first.text
    await anonymous_client.get("/downloads/toasts")

    await _complete(app, bobs)
    toast = await client.get("/downloads/toasts")
    again = await client.get("/downloads/toasts")
    carols = await anonymous_client.get("/downloads/toasts")

    assert "Letters Home Night is ready to play" in toast.text
    assert "ready to play" not in again.text, "each completion is toasted once"
    assert "Letters Home Night" not in carols.text, "only the owner hears of it"
