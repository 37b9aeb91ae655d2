"""The Last.fm simulator: ``/2.0/`` dispatching on ``method``, with Last.fm's quirks, on loopback.

What specs/lastfm-notes.md asks of a faithful simulator: a checked ``api_key``
(error 10, or 26 when ``suspended``), errors as ``{"error", "message", "links"}``
often with HTTP 200, every scalar a string, ``mbid: ""`` for unknown ids, a
one-scrobble user whose ``track`` is a bare object, a now-playing track on page 1,
``extended`` switching the artist shape, ``artist.getSimilar`` by name (case-folded)
or MBID (an unknown MBID lands on "[unknown]"), and ``artist.getInfo``. A request
counter answers error 29 above ``rate_limit`` per ``rate_window`` seconds;
``/_sim/mode`` switches to ``rate_limited`` (always 29), ``fault`` (error 16) or
``html_503`` (a proxy's page).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from tastemaker.simulators.catalogue import Artist, artist_by_mbid, catalogue
from tastemaker.simulators.listening import DEMO_LISTENS, Scrobble, history, similar, top_artists

LastfmMode = Literal["normal", "rate_limited", "fault", "html_503"]
PLACEHOLDER = "https://lastfm.freetls.fastly.net/i/u/{size}/2a96cbd8b46e442fc41c2b86b821562f.png"
_SIZES = (("small", "34s"), ("medium", "64s"), ("large", "174s"), ("extralarge", "300x300"))
_UNKNOWN_MBID = "5dfdca28-9ddc-4853-933c-8bc97d87beec"


class LastfmSimConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_key: str = "0" * 32
    users: tuple[str, ...] = ("demo",)
    history_sizes: dict[str, int] = Field(default_factory=dict)  # listens per user (else 400)
    single_scrobble: tuple[str, ...] = ()  # users with exactly one scrobble
    empty: tuple[str, ...] = ()  # users with none
    now_playing: bool = True
    suspended: bool = False
    mode: LastfmMode = "normal"
    rate_limit: int = 50
    rate_window: int = 10
    unknown_mbid_error: bool = False  # an unknown MBID: error 6 instead of "[unknown]"


class SimControl(BaseModel):
    mode: LastfmMode | None = None
    suspended: bool | None = None
    rate_limit: int | None = None
    rate_window: int | None = None


def _images() -> list[dict[str, str]]:
    images = [{"size": size, "#text": PLACEHOLDER.format(size=path)} for size, path in _SIZES]
    images.append({"size": "mega", "#text": ""})
    return images


def _error(code: int, message: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "links": []}, status_code=status)


def _missing() -> JSONResponse:
    return _error(6, "Invalid parameters - Your request is missing a required parameter")


def _paged(items: list[Any], limit: int, page: int) -> tuple[list[Any], dict[str, str]]:
    pages = max(1, -(-len(items) // limit))
    chunk = items[(page - 1) * limit : page * limit]
    attr = {"page": str(page), "perPage": str(limit), "totalPages": str(pages)}
    return chunk, {**attr, "total": str(len(items))}


def _number(value: str | None, default: int, ceiling: int) -> int:
    try:
        return max(1, min(int(value or default), ceiling))
    except ValueError:
        return default


class _State:
    def __init__(self, config: LastfmSimConfig) -> None:
        self.initial = config
        self.config = config
        self.window_start = 0
        self.used = 0
        self.requests: list[dict[str, str]] = []

    def over_limit(self) -> bool:
        now = int(time.time())
        start = now - now % self.config.rate_window
        if start != self.window_start:
            self.window_start, self.used = start, 0
        self.used += 1
        return self.used > self.config.rate_limit


def create_app(config: LastfmSimConfig | None = None) -> FastAPI:
    state = _State(config or LastfmSimConfig())
    app = FastAPI(title="Last.fm simulator", docs_url=None, redoc_url=None)
    app.state.sim = state
    by_name = {artist.name.casefold(): artist for artist in catalogue()}

    def scrobbles(user: str) -> tuple[Scrobble, ...]:
        if user in state.config.empty:
            return ()
        listens = history(user, state.config.history_sizes.get(user, DEMO_LISTENS))
        return listens[:1] if user in state.config.single_scrobble else listens

    def known(user: str) -> bool:
        return (
            user in state.config.users
            or user in state.config.single_scrobble
            or (user in state.config.empty)
        )

    def top(params: dict[str, str]) -> Response:
        user = params.get("user")
        if not user:
            return _missing()
        if not known(user):
            return _error(6, "User not found", status=404)
        limit = _number(params.get("limit"), 50, 1000)
        page = _number(params.get("page"), 1, 10_000)
        ranked = top_artists(scrobbles(user))
        chunk, attr = _paged(ranked, limit, page)
        artists = [
            {
                "streamable": "0",
                "image": _images(),
                "mbid": mbid or "",
                "url": f"https://www.last.fm/music/{name.replace(' ', '+')}",
                "playcount": str(plays),
                "@attr": {"rank": str((page - 1) * limit + index + 1)},
                "name": name,
            }
            for index, (name, mbid, plays) in enumerate(chunk)
        ]
        return JSONResponse({"topartists": {"artist": artists, "@attr": {"user": user, **attr}}})

    def recent(params: dict[str, str]) -> Response:
        user = params.get("user")
        if not user:
            return _missing()
        if not known(user):
            return _error(6, "User not found", status=404)
        limit = _number(params.get("limit"), 50, 200)
        page = _number(params.get("page"), 1, 10_000)
        extended = params.get("extended") == "1"
        low = int(params.get("from") or 0)
        high = int(params.get("to") or 0)
        listens = [
            s
            for s in scrobbles(user)
            if (not low or s.listened_at >= low) and (not high or s.listened_at <= high)
        ]
        chunk, attr = _paged(listens, limit, page)

        def track(s: Scrobble, now: bool = False) -> dict[str, Any]:
            artist: dict[str, Any] = (
                {"name": s.artist, "mbid": s.artist_mbid or "", "url": "", "image": _images()}
                if extended
                else {"mbid": s.artist_mbid or "", "#text": s.artist}
            )
            item: dict[str, Any] = {
                "artist": artist,
                "streamable": "0",
                "image": _images(),
                "mbid": "",
                "album": {"mbid": "", "#text": s.album},
                "name": s.track,
                "url": "",
            }
            if extended:
                item["loved"] = "0"
            if now:
                item["@attr"] = {"nowplaying": "true"}
            else:
                item["date"] = {"uts": str(s.listened_at), "#text": ""}
            return item

        tracks: list[Any] = [track(s) for s in chunk]
        if (
            page == 1
            and chunk
            and state.config.now_playing
            and user not in (state.config.single_scrobble)
        ):
            tracks.insert(0, track(chunk[0], now=True))
        body: Any = tracks[0] if len(tracks) == 1 else tracks  # the single-item quirk
        return JSONResponse({"recenttracks": {"track": body, "@attr": {"user": user, **attr}}})

    def find(params: dict[str, str]) -> tuple[Artist | None, bool]:
        """(artist, was asked by MBID)."""
        if params.get("mbid"):
            return artist_by_mbid(params["mbid"]), True
        name = params.get("artist", "")
        return by_name.get(name.casefold() if params.get("autocorrect") == "1" else name), False

    def get_similar(params: dict[str, str]) -> Response:
        if not params.get("mbid") and not params.get("artist"):
            return _missing()
        artist, by_mbid = find(params)
        if artist is None:
            if by_mbid and not state.config.unknown_mbid_error:
                return JSONResponse(
                    {"similarartists": {"artist": [], "@attr": {"artist": "[unknown]"}}}
                )
            return _error(6, "The artist you supplied could not be found")
        limit = _number(params.get("limit"), 100, 1000)
        found = similar(artist)[:limit]
        rows = [
            {
                "name": other.name,
                # Last.fm often lacks the MBID of smaller artists.
                "mbid": "" if index % 5 == 4 else other.mbid,
                "match": "1" if index == 0 else f"{match:.6f}",
                "url": f"https://www.last.fm/music/{other.name.replace(' ', '+')}",
                "image": _images(),
                "streamable": "0",
            }
            for index, (other, match) in enumerate(found)
        ]
        return JSONResponse({"similarartists": {"artist": rows, "@attr": {"artist": artist.name}}})

    def get_info(params: dict[str, str]) -> Response:
        if not params.get("mbid") and not params.get("artist"):
            return _missing()
        artist, _ = find(params)
        if artist is None:
            return _error(6, "The artist you supplied could not be found")
        neighbours = similar(artist)[:5]
        return JSONResponse(
            {
                "artist": {
                    "name": artist.name,
                    "mbid": artist.mbid,
                    "url": f"https://www.last.fm/music/{artist.name.replace(' ', '+')}",
                    "image": _images(),
                    "streamable": "0",
                    "ontour": "0",
                    "stats": {"listeners": str(1000 + len(artist.name) * 37), "playcount": "0"},
                    "similar": {"artist": [{"name": o.name, "url": ""} for o, _ in neighbours]},
                    "tags": {"tag": [{"name": g.lower(), "url": ""} for g in artist.genres]},
                    "bio": {
                        "links": {"link": {"#text": "", "rel": "original", "href": ""}},
                        "summary": f'{artist.overview} <a href="https://www.last.fm/">'
                        "Read more on Last.fm</a>",
                    },
                }
            }
        )

    methods = {
        "user.gettopartists": top,
        "user.getrecenttracks": recent,
        "artist.getsimilar": get_similar,
        "artist.getinfo": get_info,
    }

    @app.get("/2.0/")
    @app.get("/2.0")
    async def dispatch(request: Request) -> Response:
        params = dict(request.query_params)
        state.requests.append({k: v for k, v in params.items() if k != "api_key"})
        mode = state.config.mode
        if mode == "html_503":
            return Response(
                "<html><body>503 Service Unavailable</body></html>",
                status_code=503,
                media_type="text/html",
            )
        if params.get("api_key") != state.config.api_key:
            return _error(10, "Invalid API key - You must be granted a valid key by last.fm", 403)
        if state.config.suspended:
            return _error(26, "Suspended API key - Access for your account has been suspended")
        if mode == "rate_limited" or state.over_limit():
            return _error(
                29,
                "Rate Limit Exceeded - Your IP has made too many requests in a short period",
            )
        if mode == "fault":
            return _error(16, "There was a temporary error processing your request.", 500)
        handler = methods.get((params.get("method") or "").casefold())
        if handler is None:
            return _error(3, "Invalid Method - No method with that name in this package", 400)
        if params.get("format") != "json":
            return Response('<?xml version="1.0"?><lfm status="ok"></lfm>', media_type="text/xml")
        return handler(params)

    @app.get("/_sim/mode")
    async def get_mode() -> dict[str, Any]:
        return state.config.model_dump()

    @app.post("/_sim/mode")
    async def set_mode(control: SimControl) -> dict[str, Any]:
        state.config = state.config.model_copy(update=control.model_dump(exclude_none=True))
        return state.config.model_dump()

    @app.get("/_sim/requests")
    async def requests() -> list[dict[str, str]]:
        """The parameters of every call since the last reset (without the API key)."""
        return state.requests

    @app.post("/_sim/reset")
    async def reset() -> dict[str, Any]:
        state.config = state.initial
        state.requests.clear()
        state.used = 0
        return state.config.model_dump()

    return app
