"""``stream`` and ``getCoverArt``: bytes, with HTTP Range and caching headers.

Navidrome serves untranscoded files through Go's ``http.ServeContent``: a single
``Range`` gives 206 with ``Content-Range``, an unsatisfiable one 416, and every
answer says ``Accept-Ranges: bytes`` and ``X-Content-Duration``. Files are sent
in chunks as they are read. In metadata-only mode there are no files, so every
song streams one short synthesised Ogg clip (made once) and covers are drawn.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image
from starlette.responses import Response, StreamingResponse

from tastemaker.simulators import sample_library
from tastemaker.simulators.catalogue import Album, Track
from tastemaker.simulators.subsonic.browse import not_found
from tastemaker.simulators.subsonic.context import Ctx, method
from tastemaker.simulators.subsonic.library import AlbumEntry, Library

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_COVER_ID = re.compile(r"^(al|ar|mf|pl)-([0-9a-zA-Z]+)(?:_[0-9a-zA-Z]+)?$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(first, last) of one satisfiable range, None to send it all, False if unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:  # several ranges or another unit: serve the whole file, as Go does
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        return (max(size - length, 0), size - 1) if length and size else False
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


Reader = Callable[[int, int], Iterator[bytes]]


def ranged_response(
    ctx: Ctx, size: int, read: Reader, media_type: str, extra: dict[str, str]
) -> Response:
    headers = {"Accept-Ranges": "bytes", **extra}
    wanted = parse_range(ctx.request.headers.get("range"), size)
    if wanted is False:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    if wanted is None or wanted is True or size == 0:
        start, end, status = 0, size - 1, 200
    else:
        start, end = wanted
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    return StreamingResponse(
        read(start, end), status_code=status, headers=headers, media_type=media_type
    )


def _file_reader(path: Path) -> Reader:
    def read(start: int, end: int) -> Iterator[bytes]:
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    return read


def _bytes_reader(data: bytes) -> Reader:
    def read(start: int, end: int) -> Iterator[bytes]:
        for offset in range(start, end + 1, CHUNK):
            yield data[offset : min(offset + CHUNK, end + 1)]

    return read


@lru_cache(maxsize=1)
def synthesised_clip() -> bytes:
    """One 10-second clip every metadata-only song plays: real audio, made once."""
    album = Album("Clip", "0", "0", 2000, "Album", "Ambient", "Simulator", "0", ())
    track = Track("Clip", 1, 10, "00000000-0000-0000-0000-000000000000")
    samples = sample_library.synthesise_track(album, track, seconds=10)
    return sample_library.encode_ogg(samples)


@method("stream", "download")
async def stream(ctx: Ctx) -> Response:
    song = ctx.library.songs.get(ctx.require("id"))
    if song is None:
        raise not_found("Song")
    extra = {"X-Content-Duration": f"{song.duration:.2f}"}
    if song.file is not None:
        size = song.file.stat().st_size
        return ranged_response(ctx, size, _file_reader(song.file), song.content_type, extra)
    clip = synthesised_clip()
    return ranged_response(ctx, len(clip), _bytes_reader(clip), "audio/ogg", extra)


def _album_for_cover(library: Library, cover_id: str) -> AlbumEntry | None:
    match = _COVER_ID.match(cover_id)
    prefix, item_id = match.groups() if match else ("", cover_id)
    if prefix == "pl":
        return None
    if item_id in library.albums:
        return library.albums[item_id]
    if item_id in library.songs:
        return library.albums[library.songs[item_id].album_id]
    artist = library.artists.get(item_id)
    if artist is not None and artist.album_ids:
        return library.albums[artist.album_ids[0]]
    return None


@lru_cache(maxsize=512)
def _cover_bytes(
    album_id: str, directory: Path | None, source: Album | None, size: int | None
) -> bytes:
    if directory is not None and (directory / sample_library.COVER_NAME).is_file():
        original = (directory / sample_library.COVER_NAME).read_bytes()
    elif source is not None:
        original = sample_library.cover_image(source)
    else:
        return b""
    if not size:
        return original
    with Image.open(BytesIO(original)) as image:
        if size >= max(image.size):
            return original
        image.thumbnail((size, size))
        out = BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue()


@method("getCoverArt")
async def get_cover_art(ctx: Ctx) -> Response:
    cover_id = ctx.require("id")
    library = ctx.library
    album = _album_for_cover(library, cover_id)
    if album is None and cover_id.startswith("pl-"):
        playlist = ctx.sim.state.playlists.get(cover_id[3:].split("_", 1)[0])
        if playlist and playlist.song_ids and playlist.song_ids[0] in library.songs:
            album = library.albums[library.songs[playlist.song_ids[0]].album_id]
    if album is None:
        raise not_found("Artwork")
    size = ctx.int("size", 0) or None
    data = _cover_bytes(album.id, album.directory, album.source, size)
    if not data:
        raise not_found("Artwork")
    etag = '"' + hashlib.md5(data).hexdigest() + '"'  # noqa: S324 (a cache validator)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=315360000"}
    if ctx.request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return ranged_response(ctx, len(data), _bytes_reader(data), "image/jpeg", headers)
