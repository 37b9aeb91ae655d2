"""Parity: the same client calls against supysonic and the simulator parse to the same shapes.

For every call, each field that both servers fill must have the same Python type
after parsing, and every field supysonic fills must be filled by the simulator
too (the simulator speaks Navidrome, a superset). The fields only the simulator
fills are printed: they are the Navidrome behaviours supysonic lacks
(``playCount``, ``musicBrainzId``, …) that the app must treat as optional.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from pydantic import BaseModel

from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tests.servers.navidrome import SubsonicServer

Call = Callable[[NavidromeClient], Awaitable[Any]]

# Fields supysonic fills that the simulator may leave out, each with its reason.
SUPYSONIC_ONLY: set[str] = set()


def _shape(value: Any, prefix: str = "") -> dict[str, type]:
    """Dotted field path → type, for the filled fields of a model (lists: first item)."""
    shape: dict[str, type] = {}
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            shape.update(_shape(getattr(value, name), f"{prefix}{name}."))
    elif isinstance(value, list):
        if value:
            shape.update(_shape(value[0], prefix))
    elif value is not None:
        shape[prefix.rstrip(".")] = type(value)
    return shape


async def _album_id(client: NavidromeClient) -> str:
    return (await client.album_list("alphabeticalByName", size=1)).album[0].id


async def _artist_id(client: NavidromeClient) -> str:
    return (await client.artists()).artists[0].id


async def _song_id(client: NavidromeClient) -> str:
    return (await client.album(await _album_id(client))).song[0].id


CALLS: dict[str, Call] = {
    "artists": lambda c: c.artists(),
    "artist": lambda c: _then(c, _artist_id, c.artist),
    "album": lambda c: _then(c, _album_id, c.album),
    "song": lambda c: _then(c, _song_id, c.song),
    "album_list newest": lambda c: c.album_list("newest", size=5),
    "album_list byGenre": lambda c: c.album_list("byGenre", genre="Jazz"),
    "search": lambda c: c.search("Fire"),
    "genres": lambda c: c.genres(),
    "music_folders": lambda c: c.music_folders(),
    "license": lambda c: c.license(),
}


async def _then(
    client: NavidromeClient,
    find: Callable[[NavidromeClient], Awaitable[str]],
    call: Callable[[str], Awaitable[Any]],
) -> Any:
    return await call(await find(client))


async def _shapes(server: SubsonicServer) -> dict[str, dict[str, type]]:
    async with httpx.AsyncClient() as http:
        client = NavidromeClient(
            http, server.url, NavidromeCredentials(server.user, server.password)
        )
        shapes = {}
        for name, call in CALLS.items():
            result = await call(client)
            items = result if isinstance(result, list) else [result]
            merged: dict[str, type] = {}
            for item in items:
                merged.update(_shape(item))
            shapes[name] = merged
        shapes["user"] = _shape(await client.user(server.user))
        shapes["starred"] = _shape(await _star_something(client))
        return shapes


async def _star_something(client: NavidromeClient) -> Any:
    album_id = await _album_id(client)
    song_id = (await client.album(album_id)).song[0].id
    await client.star(song_ids=[song_id], album_ids=[album_id])
    try:
        return await client.starred()
    finally:
        await client.unstar(song_ids=[song_id], album_ids=[album_id])


async def test_the_simulator_parses_to_the_shapes_supysonic_does(
    supysonic_server: SubsonicServer, subsonic_simulator: SubsonicServer
) -> None:
    supysonic = await _shapes(supysonic_server)
    simulator = await _shapes(subsonic_simulator)

    for call, supy_shape in supysonic.items():
        sim_shape = simulator[call]
        missing = set(supy_shape) - set(sim_shape) - SUPYSONIC_ONLY
        assert not missing, f"{call}: the simulator leaves out {sorted(missing)}"
        mismatched = {
            field: (supy_shape[field].__name__, sim_shape[field].__name__)
            for field in set(supy_shape) & set(sim_shape)
            if supy_shape[field] is not sim_shape[field]
        }
        assert not mismatched, f"{call}: types differ {mismatched}"
        print(
            f"{call}: only the simulator (Navidrome) fills {sorted(set(sim_shape) - set(supy_shape))}"
        )
