"""Subsonic response envelopes and entity shapes, as Navidrome writes them.

Navidrome (``server/subsonic/helpers.go``, ``responses/responses.go``) leaves
classic fields out when zero or empty (``playCount``, ``year``, ``userRating``…)
and always sends the OpenSubsonic ones, as ``""`` or ``[]`` when unknown; the
shapes below follow that. JSON is the main format; XML (the protocol's default)
is produced from the same dicts the way the classic schema nests them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from starlette.responses import JSONResponse, Response

from tastemaker.simulators.subsonic.library import AlbumEntry, ArtistEntry, Library, SongEntry
from tastemaker.simulators.subsonic.state import PlaylistEntry, UserState

API_VERSION = "1.16.1"
SERVER_TYPE = "navidrome"
XMLNS = "http://subsonic.org/restapi"


class SubsonicError(Exception):
    """A failure answered as ``status: "failed"`` (with HTTP 200, as servers do)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def missing(name: str) -> SubsonicError:
    return SubsonicError(10, f"required '{name}' parameter is missing")


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(
    server_version: str, payload: dict[str, Any] | None, *, failed: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "failed" if failed else "ok",
        "version": API_VERSION,
        "type": SERVER_TYPE,
        "serverVersion": server_version,
        "openSubsonic": True,
    }
    body.update(payload or {})
    return {"subsonic-response": body}


def render(data: dict[str, Any], fmt: str, headers: dict[str, str] | None = None) -> Response:
    if fmt == "xml":
        root = ElementTree.Element("subsonic-response", {"xmlns": XMLNS})
        _to_xml(root, data["subsonic-response"])
        body = ElementTree.tostring(root, encoding="unicode", xml_declaration=True)
        return Response(body, media_type="application/xml", headers=headers)
    return JSONResponse(data, headers=headers)


def _xml_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _to_xml(element: ElementTree.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "value":  # genres carry their name as the element's text
            element.text = _xml_text(value)
        elif isinstance(value, dict):
            _to_xml(ElementTree.SubElement(element, key), value)
        elif isinstance(value, list):
            for item in value:
                child = ElementTree.SubElement(element, key)
                if isinstance(item, dict):
                    _to_xml(child, item)
                else:
                    child.text = _xml_text(item)
        elif value is not None:
            element.set(key, _xml_text(value))


def _annotate(out: dict[str, Any], user: UserState, kind: str, item_id: str) -> dict[str, Any]:
    marks = user.of(kind)
    if item_id in marks.starred:
        out["starred"] = iso(marks.starred[item_id])
    if kind != "artist" and marks.plays.get(item_id):
        out["playCount"] = marks.plays[item_id]
        out["played"] = iso(marks.played[item_id])
    if marks.rating.get(item_id):
        out["userRating"] = marks.rating[item_id]
    return out


def artist_json(library: Library, artist: ArtistEntry, user: UserState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": artist.id,
        "name": artist.name,
        "coverArt": artist.cover_art,
        "albumCount": len(artist.album_ids),
        "artistImageUrl": "",
        "musicBrainzId": artist.mbid or "",
        "sortName": artist.sort_name.lower(),
        "roles": ["albumartist", "artist"],
    }
    return _annotate(out, user, "artist", artist.id)


def album_json(library: Library, album: AlbumEntry, user: UserState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": album.id,
        "name": album.name,
        "artist": album.artist_name,
        "artistId": album.artist_id,
        "coverArt": album.cover_art,
        "songCount": len(album.song_ids),
        "duration": album.duration,
        "created": iso(album.created),
    }
    if album.year:
        out["year"] = album.year
    if album.genre:
        out["genre"] = album.genre
    _annotate(out, user, "album", album.id)
    out.update(
        {
            "genres": [{"name": album.genre}] if album.genre else [],
            "musicBrainzId": album.mbid or "",
            "isCompilation": album.release_type == "compilation",
            "sortName": album.name.lower(),
            "discTitles": [],
            "originalReleaseDate": {"year": album.year} if album.year else {},
            "releaseDate": {"year": album.year} if album.year else {},
            "releaseTypes": [album.release_type] if album.release_type else [],
            "recordLabels": [],
            "moods": [],
            "artists": [{"id": album.artist_id, "name": album.artist_name}],
            "displayArtist": album.artist_name,
            "explicitStatus": "",
            "version": "",
        }
    )
    return out


def song_json(library: Library, song: SongEntry, user: UserState) -> dict[str, Any]:
    album = library.albums[song.album_id]
    out: dict[str, Any] = {
        "id": song.id,
        "parent": album.id,
        "isDir": False,
        "title": song.title,
        "album": album.name,
        "artist": album.artist_name,
    }
    if song.track:
        out["track"] = song.track
    if album.year:
        out["year"] = album.year
    if album.genre:
        out["genre"] = album.genre
    out.update(
        {
            "coverArt": album.cover_art,
            "size": song.size,
            "contentType": song.content_type,
            "suffix": song.suffix,
            "duration": song.duration,
            "bitRate": song.bit_rate,
            "path": song.path,
            "discNumber": song.disc,
            "created": iso(song.created),
            "albumId": album.id,
            "artistId": song.artist_id,
            "type": "music",
            "isVideo": False,
        }
    )
    _annotate(out, user, "song", song.id)
    artists = [{"id": song.artist_id, "name": album.artist_name}]
    out.update(
        {
            "bpm": 0,
            "comment": "",
            "sortName": song.title.lower(),
            "mediaType": "song",
            "musicBrainzId": song.mbid or "",
            "isrc": [],
            "genres": [{"name": album.genre}] if album.genre else [],
            "replayGain": {},
            "channelCount": 1,
            "samplingRate": 16000,
            "bitDepth": 0,
            "moods": [],
            "artists": artists,
            "displayArtist": album.artist_name,
            "albumArtists": artists,
            "displayAlbumArtist": album.artist_name,
            "contributors": [],
            "displayComposer": "",
            "explicitStatus": "",
        }
    )
    return out


def playlist_json(
    library: Library, playlist: PlaylistEntry, user: UserState, *, with_songs: bool
) -> dict[str, Any]:
    songs = [library.songs[song_id] for song_id in playlist.song_ids if song_id in library.songs]
    out: dict[str, Any] = {
        "id": playlist.id,
        "name": playlist.name,
        "comment": playlist.comment,
        "songCount": len(songs),
        "duration": sum(song.duration for song in songs),
        "public": playlist.public,
        "owner": playlist.owner,
        "created": iso(playlist.created),
        "changed": iso(playlist.changed),
        "coverArt": f"pl-{playlist.id}_0",
    }
    if with_songs:
        out["entry"] = [song_json(library, song, user) for song in songs]
    return out
