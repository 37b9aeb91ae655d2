"""The per-user weekly limit, and the history page's paging and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.simulators.lidarr.state import SimState
from tests.downloads.conftest import Person, PersonFactory


async def _user_id(who: Person) -> int:
    me = (await who.get("/api/auth/me")).json()
    return int(me["user"]["id"])


def _thing(n: int) -> tuple[str, str]:
    """An artist and album MusicBrainz id no other test uses."""
    return f"{n:08d}-0000-4000-8000-00000000000a", f"{n:08d}-0000-4000-8000-00000000000b"


async def test_the_weekly_limit_stops_a_user_but_not_a_repeat_an_admin_or_next_week(
    person: PersonFactory, sim: SimState, downloads_stack: FastAPI
) -> None:
    root = await person("root", admin=True)
    bob = await person("bob")
    saved = await root.http.put(
        "/api/downloads/settings", json={"weekly_limit": 2}, headers={"X-CSRF-Token": root.csrf}
    )
    assert saved.json()["weekly_limit"] == 2
    # Requests are counted when taken, Lidarr or not: with it down they just stay queued
    # (and the simulator's catalogue is spared).
    sim.config.faults.status_code = 503
    first, second, third = _thing(1), _thing(2), _thing(3)

    one = await bob.request(*first)
    two = await bob.request(*second)
    over = await bob.request(*third)
    repeat = await bob.request(*first)
    admins = await root.request(*third)

    assert (one.status_code, two.status_code) == (201, 201)
    assert over.status_code == 429
    assert over.headers["content-type"].startswith("application/problem+json")
    assert over.json()["code"] == "download_limit_reached"
    assert "2 things a week" in over.json()["detail"]
    assert (repeat.status_code, repeat.json()["id"]) == (200, one.json()["id"])
    assert admins.status_code == 201
    assert (await bob.get("/api/downloads")).json()["total"] == 2

    # A week later those two no longer count.
    async with downloads_stack.state.db.sessionmaker() as session:
        await session.execute(
            update(DownloadRequest)
            .where(DownloadRequest.user_id == await _user_id(bob))
            .values(created_at=datetime.now(UTC) - timedelta(days=8))
        )
        await session.commit()
    later = await bob.request(*third)
    assert later.status_code == 201, later.text


async def test_rejected_requests_do_not_count_against_the_weekly_limit(
    person: PersonFactory, sim: SimState
) -> None:
    root = await person("root", admin=True)
    bob = await person("bob")
    await root.http.put(
        "/api/downloads/settings",
        json={"weekly_limit": 1, "approval_required": True},
        headers={"X-CSRF-Token": root.csrf},
    )
    sim.config.faults.status_code = 503
    waiting = (await bob.request(*_thing(4))).json()
    assert waiting["status"] == "pending_approval"
    assert (await bob.request(*_thing(5))).status_code == 429

    await root.post(f"/api/downloads/{waiting['id']}/reject", json={"reason": "Not now"})

    assert (await bob.request(*_thing(5))).status_code == 201


def _finished(
    user_id: int, label: str, count: int, status: DownloadStatus, start: datetime
) -> list[DownloadRequest]:
    """``count`` requests titled "<label> 00"…, a minute apart, the first at ``start``."""
    prefix = sum(label.encode()) * 1000 + count
    rows = []
    for n in range(count):
        moment = start - timedelta(minutes=n)
        mbid = f"{prefix:08d}-0000-4000-8000-{n:012d}"
        rows.append(
            DownloadRequest(
                user_id=user_id,
                kind="album",
                target_key=mbid,
                artist_name=f"{label} artist",
                artist_mbid=mbid,
                album_title=f"{label} {n:02d}",
                album_mbid=mbid,
                status=status,
                created_at=moment,
                updated_at=moment,
            )
        )
    return rows


async def test_history_pages_and_filters_by_status_and_for_admins_by_user(
    person: PersonFactory, downloads_stack: FastAPI
) -> None:
    root = await person("root", admin=True)
    bob, carol = await person("bob"), await person("carol")
    bob_id, carol_id = await _user_id(bob), await _user_id(carol)
    start = datetime.now(UTC)
    async with downloads_stack.state.db.sessionmaker() as session:
        session.add_all(
            [
                *_finished(bob_id, "Bob done", 25, DownloadStatus.COMPLETED, start),
                *_finished(bob_id, "Bob failed", 2, DownloadStatus.FAILED, start),
                *_finished(bob_id, "Bob waiting", 1, DownloadStatus.PENDING_APPROVAL, start),
                *_finished(carol_id, "Carol done", 3, DownloadStatus.COMPLETED, start),
            ]
        )
        await session.commit()

    first = (await bob.get("/downloads/history")).text
    second = (await bob.get("/downloads/history", params={"page": 2})).text

    assert "Page 1 of 2 · 27 requests" in first
    assert "page=2" in first
    # Newest first, twenty a page: done 00–17 and both failures on page one.
    assert all(f"Bob done {n:02d}" in first for n in range(18))
    assert "Bob done 18" not in first
    assert "Page 2 of 2 · 27 requests" in second
    assert all(f"Bob done {n:02d}" in second for n in range(18, 25))
    assert "Bob done 00" not in second
    assert "Bob waiting" not in first + second  # open requests are not history
    assert "Carol done" not in first + second  # nor other users'

    failed = (await bob.get("/downloads/history", params={"status": "failed"})).text
    assert "Bob failed 00" in failed
    assert "Bob failed 01" in failed
    assert "Bob done" not in failed
    assert "Page 1 of" not in failed  # one page: no paging links

    # Only admins can look at another user's history.
    peeking = (await bob.get("/downloads/history", params={"user": carol_id})).text
    assert "Carol done" not in peeking
    assert "Bob done 00" in peeking
    everyone = (await root.get("/downloads/history")).text
    assert "Page 1 of 2 · 30 requests" in everyone
    carols = (await root.get("/downloads/history", params={"user": carol_id})).text
    assert all(f"Carol done {n:02d}" in carols for n in range(3))
    assert "Bob done" not in carols
    assert f'<option value="{carol_id}" selected>carol</option>' in carols
    carols_completed = await root.get(
        "/downloads/history", params={"user": carol_id, "status": "failed"}
    )
    assert "Carol done" not in carols_completed.text

    # The JSON API filters the same way.
    api = await root.get("/api/downloads", params={"user_id": carol_id, "status": "completed"})
    assert api.json()["total"] == 3
    own = await bob.get("/api/downloads", params={"user_id": carol_id, "limit": 5, "offset": 25})
    assert own.json()["total"] == 28
    titles = [i["album_title"] for i in own.json()["items"]]
    assert titles == ["Bob done 22", "Bob done 23", "Bob done 24"]
