"""The discoveries playlist: one Navidrome playlist per user that collects the songs of
every request of theirs once Navidrome lists them.

It is made and changed only through the Subsonic playlist calls, as the user's own
Navidrome account when they linked one (else the shared account), so it shows up in
every Subsonic app they use. Which playlist it is lives in ``discovery_playlists``;
when that playlist is gone (deleted in another app) or the identity changed (the
user linked their account), an existing playlist of that name owned by the identity
is adopted, else a new one is made.

Adding is idempotent: songs already in the playlist are left out, so the same album
added twice (a retried request, two requests for it) appears once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth.models import User
from tastemaker.errors import ServiceError, ServiceNotFound, ServiceRejected
from tastemaker.integrations.navidrome import NavidromeClient
from tastemaker.integrations.navidrome import models as nd
from tastemaker.integrations.navidrome.errors import no_account
from tastemaker.playlists.models import DiscoveryPlaylist
from tastemaker.services.hub import ServiceHub

log = logging.getLogger(__name__)

# Songs per Subsonic call: ids travel in the query string, which servers cap (~8 KB+).
CHUNK = 100


@dataclass(frozen=True)
class Added:
    playlist_id: str
    playlist_name: str
    count: int


def _owner(navidrome: NavidromeClient) -> str:
    owner = navidrome.username
    if owner is None:  # no shared account set and none linked: say what to set
        raise no_account()
    return owner


async def stored_id(db: AsyncSession, navidrome: NavidromeClient, user_id: int) -> str | None:
    """The id of the user's discoveries playlist for this identity, if one was made."""
    row = await db.get(DiscoveryPlaylist, user_id)
    if row is None or row.navidrome_user != navidrome.username:
        return None
    return row.playlist_id


async def current(
    db: AsyncSession, navidrome: NavidromeClient, user_id: int
) -> nd.PlaylistWithSongs | None:
    """The user's discoveries playlist with its songs, or ``None`` (never made, or gone)."""
    playlist_id = await stored_id(db, navidrome, user_id)
    if playlist_id is None:
        return None
    try:
        return await navidrome.playlist(playlist_id)
    except (ServiceNotFound, ServiceRejected):
        # Deleted in another app (Navidrome: 70), or no longer this account's (50).
        return None


async def _remember(
    db: AsyncSession, navidrome: NavidromeClient, user_id: int, playlist_id: str
) -> None:
    row = await db.get(DiscoveryPlaylist, user_id)
    if row is None:
        row = DiscoveryPlaylist(user_id=user_id, navidrome_user="", playlist_id="")
        db.add(row)
    row.navidrome_user = _owner(navidrome)
    row.playlist_id = playlist_id
    await db.commit()


async def _unclaimed(
    db: AsyncSession, navidrome: NavidromeClient, user_id: int, name: str
) -> list[nd.Playlist]:
    """Playlists of this name owned by the identity that no other user's discoveries are.

    Unlinked users share one Navidrome account: each gets a playlist of their own.
    """
    owner = _owner(navidrome)
    claimed = set(
        await db.scalars(
            select(DiscoveryPlaylist.playlist_id).where(
                DiscoveryPlaylist.navidrome_user == owner, DiscoveryPlaylist.user_id != user_id
            )
        )
    )
    listed = (await navidrome.playlists()).playlist
    mine = [p for p in listed if p.owner == owner and p.name == name and p.id not in claimed]
    return sorted(mine, key=lambda p: (p.created is None, p.created), reverse=True)


async def ensure(
    db: AsyncSession, navidrome: NavidromeClient, user_id: int, name: str
) -> nd.PlaylistWithSongs:
    """The user's discoveries playlist, made (or adopted) when missing, renamed to ``name``."""
    playlist = await current(db, navidrome, user_id)
    if playlist is not None:
        if playlist.name != name:
            await navidrome.update_playlist(playlist.id, name=name)
            playlist = playlist.model_copy(update={"name": name})
        return playlist
    existing = await _unclaimed(db, navidrome, user_id, name)
    if existing:
        playlist = await navidrome.playlist(existing[0].id)
    else:
        made = await navidrome.create_playlist(name)
        if made is None:
            # Servers before Subsonic 1.14 (supysonic) answer empty: find the new one.
            fresh = await _unclaimed(db, navidrome, user_id, name)
            if not fresh:
                raise ServiceNotFound(
                    "navidrome", f"Navidrome did not keep the new playlist “{name}”"
                )
            made = await navidrome.playlist(fresh[0].id)
        playlist = made
    await _remember(db, navidrome, user_id, playlist.id)
    return playlist


async def add(
    db: AsyncSession,
    navidrome: NavidromeClient,
    user_id: int,
    name: str,
    song_ids: Iterable[str],
) -> Added:
    """Add the songs the playlist does not have yet, in the order given."""
    playlist = await ensure(db, navidrome, user_id, name)
    present = {song.id for song in playlist.entry}
    new = [song_id for song_id in dict.fromkeys(song_ids) if song_id not in present]
    for start in range(0, len(new), CHUNK):
        await navidrome.update_playlist(playlist.id, add_song_ids=new[start : start + CHUNK])
    return Added(playlist.id, playlist.name, len(new))


async def clear(db: AsyncSession, navidrome: NavidromeClient, user_id: int) -> int:
    """Empty the playlist (it stays, so apps that pinned it keep it); returns songs removed."""
    playlist = await current(db, navidrome, user_id)
    if playlist is None:
        return 0
    count = len(playlist.entry)
    # From the end, so the indexes of each later call still point at the same songs.
    for end in range(count, 0, -CHUNK):
        await navidrome.update_playlist(playlist.id, remove_indexes=range(max(0, end - CHUNK), end))
    return count


async def apply_name(db: AsyncSession, hub: ServiceHub, user: User, name: str) -> bool:
    """Rename the playlist in Navidrome at once after the user changed its name.

    Best effort: when Navidrome cannot be asked now, the next addition renames it
    (``ensure``), so saving preferences never fails because of Navidrome.
    """
    try:
        navidrome = await hub.navidrome(user)
        playlist_id = await stored_id(db, navidrome, user.id)
        if playlist_id is None:
            return False
        await navidrome.update_playlist(playlist_id, name=name)
    except ServiceError as error:
        log.info("discoveries playlist of user %s renamed later: %s", user.id, error.detail)
        return False
    return True


def song_ids(album: nd.AlbumWithSongs) -> Sequence[str]:
    ordered = sorted(album.song, key=lambda s: (s.disc_number or 1, s.track or 0))
    return [song.id for song in ordered]
