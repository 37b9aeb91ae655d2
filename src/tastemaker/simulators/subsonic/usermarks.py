"""What a user does to the library: star, rate, scrobble, and keep playlists.

Navidrome (``media_annotation.go``) skips unknown ids with a warning rather than
failing, accepts any kind of id in any of ``id``/``albumId``/``artistId``, and
answers ``scrobble`` with ``ok`` whatever happens except a ``time`` count that
does not match the ``id`` count. Playlists (``playlists.go``, ``playlist_repository.go``)
are seen by their owner, by everyone when public, and by admins; only the owner
changes or deletes one (50 for anyone else who sees it).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tastemaker.simulators.subsonic.browse import not_found
from tastemaker.simulators.subsonic.context import Ctx, method
from tastemaker.simulators.subsonic.responses import SubsonicError, missing, playlist_json
from tastemaker.simulators.subsonic.state import PlaylistEntry

logger = logging.getLogger(__name__)


def _ids(ctx: Ctx) -> list[str]:
    ids = [*ctx.all("id"), *ctx.all("albumId"), *ctx.all("artistId")]
    if not ids:
        raise missing("id")
    return ids


@method("star", "unstar")
async def star(ctx: Ctx) -> dict[str, Any]:
    starring = ctx.request.path_params["name"].removesuffix(".view") == "star"
    state = ctx.sim.state
    for item_id in _ids(ctx):
        kind = ctx.library.kind_of(item_id)
        if kind is None:
            logger.warning("star/unstar: no item %s", item_id)
            continue
        if starring:
            state.star(ctx.username, kind, item_id)  # type: ignore[arg-type]
        else:
            state.unstar(ctx.username, kind, item_id)  # type: ignore[arg-type]
    return {}


@method("setRating")
async def set_rating(ctx: Ctx) -> dict[str, Any]:
    item_id = ctx.require("id")
    rating = ctx.int("rating", -1)
    if ctx.get("rating") is None:
        raise missing("rating")
    if not 0 <= rating <= 5:
        raise SubsonicError(0, f"invalid rating {rating}")
    kind = ctx.library.kind_of(item_id)
    if kind is None:
        logger.warning("setRating: no item %s", item_id)
        return {}
    ctx.sim.state.rate(ctx.username, kind, item_id, rating)  # type: ignore[arg-type]
    return {}


@method("scrobble")
async def scrobble(ctx: Ctx) -> dict[str, Any]:
    ids = ctx.all("id")
    if not ids:
        raise missing("id")
    times = ctx.all("time")
    if times and len(times) != len(ids):
        raise SubsonicError(0, "Wrong number of timestamps")
    now = datetime.now(UTC)
    when = (
        [datetime.fromtimestamp(int(t) / 1000, UTC) for t in times] if times else [now] * len(ids)
    )
    user = ctx.user
    if not ctx.bool("submission", True):
        if ids[0] in ctx.library.songs:
            user.now_playing = (ids[0], now)
        return {}
    for song_id, moment in zip(ids, when, strict=True):
        if song_id in ctx.library.songs:
            ctx.sim.state.scrobble(ctx.library, ctx.username, song_id, moment)
        else:
            logger.warning("scrobble: no song %s", song_id)
    return {}


def _sees(ctx: Ctx, playlist: PlaylistEntry) -> bool:
    """Navidrome's ``userFilter``: an admin sees every playlist, others theirs and public ones."""
    admin = ctx.account is not None and ctx.account.admin
    return admin or playlist.owner == ctx.username or playlist.public


def _visible(ctx: Ctx, playlist_id: str) -> PlaylistEntry:
    playlist = ctx.sim.state.playlists.get(playlist_id)
    if playlist is None or not _sees(ctx, playlist):
        # Another user's private playlist does not exist for the caller (70, not 50).
        raise not_found("Playlist")
    return playlist


def _owned(ctx: Ctx, playlist_id: str) -> PlaylistEntry:
    playlist = _visible(ctx, playlist_id)
    if playlist.owner != ctx.username:
        raise SubsonicError(50, "User not authorized")
    return playlist


@method("getPlaylists")
async def get_playlists(ctx: Ctx) -> dict[str, Any]:
    visible = [playlist for playlist in ctx.sim.state.playlists.values() if _sees(ctx, playlist)]
    visible.sort(key=lambda p: p.name.casefold())
    items = [playlist_json(ctx.library, p, ctx.user, with_songs=False) for p in visible]
    return {"playlists": {"playlist": items} if items else {}}


@method("getPlaylist")
async def get_playlist(ctx: Ctx) -> dict[str, Any]:
    playlist = _visible(ctx, ctx.require("id"))
    return {"playlist": playlist_json(ctx.library, playlist, ctx.user, with_songs=True)}


@method("createPlaylist")
async def create_playlist(ctx: Ctx) -> dict[str, Any]:
    song_ids = [i for i in ctx.all("songId") if i in ctx.library.songs]
    playlist_id, name = ctx.get("playlistId"), ctx.get("name")
    if playlist_id:
        playlist = _owned(ctx, playlist_id)
        playlist.song_ids = song_ids
        playlist.name = name or playlist.name
        playlist.changed = datetime.now(UTC)
    elif name:
        playlist = ctx.sim.state.new_playlist(ctx.username, name, song_ids)
    else:
        raise missing("name")
    return {"playlist": playlist_json(ctx.library, playlist, ctx.user, with_songs=True)}


@method("updatePlaylist")
async def update_playlist(ctx: Ctx) -> dict[str, Any]:
    playlist = _owned(ctx, ctx.require("playlistId"))
    if ctx.get("name"):
        playlist.name = ctx.require("name")
    if ctx.get("comment") is not None:
        playlist.comment = ctx.get("comment") or ""
    if ctx.get("public") is not None:
        playlist.public = ctx.bool("public", playlist.public)
    removed = {int(index) for index in ctx.all("songIndexToRemove") if index.isdigit()}
    kept = [song for index, song in enumerate(playlist.song_ids) if index not in removed]
    kept.extend(i for i in ctx.all("songIdToAdd") if i in ctx.library.songs)
    playlist.song_ids = kept
    playlist.changed = datetime.now(UTC)
    return {}


@method("deletePlaylist")
async def delete_playlist(ctx: Ctx) -> dict[str, Any]:
    playlist = _owned(ctx, ctx.require("id"))
    del ctx.sim.state.playlists[playlist.id]
    return {}
