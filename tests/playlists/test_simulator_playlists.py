"""The Subsonic simulator's playlists follow Navidrome (``playlists.go``,
``playlist_repository.go``): each user's own, public ones for all, every one for an
admin; another user's private playlist does not exist (70); only the owner changes one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tastemaker.errors import ServiceNotFound, ServiceRejected
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tests.servers.navidrome import SubsonicServer


@pytest.fixture
async def clients(
    subsonic_simulator: SubsonicServer, simulator_second_user: SubsonicServer
) -> AsyncIterator[tuple[NavidromeClient, NavidromeClient]]:
    async with httpx.AsyncClient() as http:
        admin, guest = (
            NavidromeClient(http, s.url, NavidromeCredentials(s.user, s.password))
            for s in (subsonic_simulator, simulator_second_user)
        )
        yield admin, guest


async def test_playlists_are_seen_and_changed_as_navidrome_allows(
    clients: tuple[NavidromeClient, NavidromeClient],
) -> None:
    admin, guest = clients
    song = (await admin.search("", artist_count=0, album_count=0, song_count=3)).song
    made = await guest.create_playlist("Guest only", [song[0].id])
    assert made is not None
    try:
        assert made.owner == "guest"
        assert "Guest only" in {p.name for p in (await admin.playlists()).playlist}  # admin
        assert (await admin.playlist(made.id)).entry[0].id == song[0].id

        with pytest.raises(ServiceRejected):  # the admin sees it, but it is not theirs (50)
            await admin.update_playlist(made.id, add_song_ids=[song[1].id])
        await guest.update_playlist(made.id, add_song_ids=[song[1].id, song[2].id])
        await guest.update_playlist(made.id, remove_indexes=[0, 2])
        assert [s.id for s in (await guest.playlist(made.id)).entry] == [song[1].id]

        mine = await admin.create_playlist("Admin only", [])
        assert mine is not None
        with pytest.raises(ServiceNotFound):  # another user's private playlist: 70
            await guest.playlist(mine.id)
        assert "Admin only" not in {p.name for p in (await guest.playlists()).playlist}
        await admin.update_playlist(mine.id, public=True)
        assert "Admin only" in {p.name for p in (await guest.playlists()).playlist}
        await admin.delete_playlist(mine.id)
    finally:
        await guest.delete_playlist(made.id)
