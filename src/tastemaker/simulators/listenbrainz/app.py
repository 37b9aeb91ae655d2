"""The ListenBrainz simulator: the main API's read calls and Labs' similar artists, on loopback.

It reproduces what specs/listenbrainz-notes.md asks of a faithful simulator:
``/1/validate-token`` (200 for an invalid token too), ``/1/user/{u}/listens`` (strict
``min_ts``/``max_ts``, count clamping, newest first), ``/1/stats/user/{u}/artists``
(exact ranges, 204 while "not computed", an artist with ``artist_mbid: null``) and
Labs ``/similar-artists/json`` (bare unsorted array, integer scores, some nameless
rows). Every main-API answer carries the ``X-RateLimit-*`` headers of a fixed window;
going over gives the rate limiter's plain-text 429. ``/_sim/mode`` switches faults:
``rate_limited`` (always 429), ``error_503`` (JSON 503) and ``error_502`` (a proxy's HTML);
``/_sim/stats`` counts the requests and the 429s answered.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from tastemaker.integrations.listenbrainz.client import DEFAULT_ALGORITHM, RANGES
from tastemaker.simulators.catalogue import artist_by_mbid
from tastemaker.simulators.listening import DEMO_LISTENS, Scrobble, history, similar, top_artists

LbMode = Literal["normal", "rate_limited", "error_503", "error_502"]
_RATE_TEXT = (
    "You have exceeded your rate limit. See the X-RateLimit-* response headers for more "
    "information on your current rate limit.\n"
)


class ListenBrainzSimConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    users: tuple[str, ...] = ("demo",)
    history_sizes: dict[str, int] = Field(default_factory=dict)  # listens per user (else 400)
    tokens: dict[str, str] = Field(default_factory=dict)  # token → user name
    not_computed: tuple[str, ...] = ()  # users whose stats return 204
    empty: tuple[str, ...] = ()  # users who exist but never listened
    mode: LbMode = "normal"
    rate_limit: int = 30  # requests per window
    rate_window: int = 10  # seconds
    algorithms: tuple[str, ...] = (DEFAULT_ALGORITHM,)


class SimControl(BaseModel):
    mode: LbMode | None = None
    rate_limit: int | None = None


class _State:
    def __init__(self, config: ListenBrainzSimConfig) -> None:
        self.initial = config
        self.config = config
        self.window_start = 0
        self.used = 0
        self.requests: list[str] = []
        self.refused = 0  # 429s answered

    def window(self) -> tuple[int, int, int]:
        """(limit, remaining, reset-in seconds) after counting this request."""
        now = int(time.time())
        window = self.config.rate_window
        start = (now // window) * window
        if start != self.window_start:
            self.window_start, self.used = start, 0
        self.used += 1
        return self.config.rate_limit, self.config.rate_limit - self.used, start + window - now


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "error": message}, status_code=status, headers=headers)


def _listen(user: str, scrobble: Scrobble, index: int) -> dict[str, Any]:
    """One listen in ListenBrainz's shape, with the mapping variations real data has."""
    info: dict[str, Any] = {"recording_msid": f"00000000-0000-4000-8000-{index:012d}"}
    metadata: dict[str, Any] = {
        "artist_name": scrobble.artist,
        "track_name": scrobble.track,
        "release_name": scrobble.album,
        "additional_info": info,
    }
    if scrobble.artist_mbid is not None:
        variant = index % 4
        if variant == 0:  # only what the scrobbling client sent
            info["artist_mbids"] = [scrobble.artist_mbid]
            info["submission_client"] = "navidrome"
        elif variant == 1:  # a partial mapping: no artists list
            metadata["mbid_mapping"] = {
                "recording_mbid": scrobble.recording_mbid,
                "artist_mbids": [scrobble.artist_mbid],
            }
        else:
            metadata["mbid_mapping"] = {
                "recording_mbid": scrobble.recording_mbid,
                "recording_name": scrobble.track,
                "release_group_mbid": scrobble.album_mbid,
                "artist_mbids": [scrobble.artist_mbid],
                "artists": [
                    {
                        "artist_mbid": scrobble.artist_mbid,
                        "artist_credit_name": scrobble.artist,
                        "join_phrase": "",
                    }
                ],
            }
    return {
        "inserted_at": scrobble.listened_at + 2,
        "listened_at": scrobble.listened_at,
        "recording_msid": info["recording_msid"],
        "user_name": user,
        "track_metadata": metadata,
    }


class _BadArgument(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.response = _error(400, message)


def _int(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _BadArgument(f"Invalid {name} argument: {value}") from None
    if number < 0:
        raise _BadArgument(f"'{name}' should be a non-negative integer")
    return number


def create_app(config: ListenBrainzSimConfig | None = None) -> FastAPI:
    state = _State(config or ListenBrainzSimConfig())
    app = FastAPI(title="ListenBrainz simulator", docs_url=None, redoc_url=None)
    app.state.sim = state

    @app.middleware("http")
    async def rate_limiter(request: Request, call_next: Any) -> Response:
        if not request.url.path.startswith("/1/"):
            return await call_next(request)  # type: ignore[no-any-return]
        state.requests.append(request.url.path)
        mode = state.config.mode
        limit, remaining, reset_in = state.window()
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset-In": str(reset_in),
            "X-RateLimit-Reset": str(state.window_start + state.config.rate_window),
        }
        if mode == "rate_limited" or remaining < 0:
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Reset-In"] = "1" if mode == "rate_limited" else str(reset_in)
            state.refused += 1
            return PlainTextResponse(_RATE_TEXT, status_code=429, headers=headers)
        if mode == "error_503":
            return _error(503, "The server is down for maintenance", headers)
        if mode == "error_502":
            return Response(
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
                status_code=502,
                media_type="text/html",
            )
        response: Response = await call_next(request)
        response.headers.update(headers)
        return response

    def known(user: str) -> bool:
        return user in state.config.users or user in state.config.empty

    def scrobbles(user: str) -> tuple[Scrobble, ...]:
        return (
            ()
            if user in state.config.empty
            else history(user, state.config.history_sizes.get(user, DEMO_LISTENS))
        )

    @app.get("/1/validate-token")
    async def validate_token(request: Request, token: str | None = None) -> Response:
        header = request.headers.get("authorization", "")
        given = header.split(" ")[1] if len(header.split(" ")) > 1 else token
        if not given:
            return _error(400, "You need to provide an Authorization token.")
        user = state.config.tokens.get(given)
        if user is None:
            return JSONResponse({"code": 200, "message": "Token invalid.", "valid": False})
        return JSONResponse(
            {"code": 200, "message": "Token valid.", "valid": True, "user_name": user}
        )

    @app.get("/1/user/{user}/listens")
    async def listens(request: Request, user: str) -> Response:
        if not known(user):
            return _error(404, f"Cannot find user: {user}")
        query = request.query_params
        try:
            count = _int(query.get("count"), "count", 25)
            min_ts = _int(query.get("min_ts"), "min_ts", 0)
            max_ts = _int(query.get("max_ts"), "max_ts", 0)
        except _BadArgument as bad:
            return bad.response
        count = min(count or 25, 1000)
        if min_ts and max_ts and max_ts <= min_ts:
            return _error(400, "max_ts should be greater than min_ts")
        all_listens = scrobbles(user)
        chosen = [
            (index, s)
            for index, s in enumerate(all_listens)
            if (not min_ts or s.listened_at > min_ts) and (not max_ts or s.listened_at < max_ts)
        ]
        # With min_ts the block just after it, still newest first.
        chosen = chosen[-count:] if min_ts and not max_ts else chosen[:count]
        return JSONResponse(
            {
                "payload": {
                    "count": len(chosen),
                    "user_id": user,
                    "listens": [_listen(user, s, index) for index, s in chosen],
                    "latest_listen_ts": all_listens[0].listened_at if all_listens else 0,
                    "oldest_listen_ts": all_listens[-1].listened_at if all_listens else 0,
                }
            }
        )

    @app.get("/1/user/{user}/listen-count")
    async def listen_count(user: str) -> Response:
        if not known(user):
            return _error(404, f"Cannot find user: {user}")
        return JSONResponse({"payload": {"count": len(scrobbles(user))}})

    @app.get("/1/stats/user/{user}/artists")
    async def stats_artists(request: Request, user: str) -> Response:
        if not known(user):
            return _error(404, f"Cannot find user: {user}")
        query = request.query_params
        stats_range = query.get("range", "all_time")
        if stats_range not in RANGES:
            return _error(400, f"Invalid range: {stats_range}")
        try:
            count = _int(query.get("count"), "count", 25)
            offset = _int(query.get("offset"), "offset", 0)
        except _BadArgument as bad:
            return bad.response
        if user in state.config.not_computed or not scrobbles(user):
            return Response(status_code=204)
        ranked = top_artists(scrobbles(user))
        page = ranked[offset : offset + min(count, 1000)]
        listens_ = scrobbles(user)
        return JSONResponse(
            {
                "payload": {
                    "user_id": user,
                    "artists": [
                        {"artist_mbid": mbid, "artist_name": name, "listen_count": plays}
                        for name, mbid, plays in page
                    ],
                    "count": len(page),
                    "total_artist_count": len(ranked),
                    "offset": offset,
                    "range": stats_range,
                    "from_ts": listens_[-1].listened_at,
                    "to_ts": listens_[0].listened_at,
                    "last_updated": listens_[0].listened_at + 3600,
                }
            }
        )

    async def _similar(mbids: list[str], algorithm: str | None, count: int = 100) -> Response:
        if algorithm not in state.config.algorithms:
            return PlainTextResponse(
                "400 Bad Request: algorithm: Input should be "
                + " or ".join(repr(a) for a in state.config.algorithms)
                + " (permitted values)",
                status_code=400,
            )
        rows: list[dict[str, Any]] = []
        for seed in mbids:
            artist = artist_by_mbid(seed)
            if artist is None:
                continue
            found = similar(artist)[:count]
            for position, (other, match) in enumerate(found):
                nameless = position == len(found) - 1  # MusicBrainz lost it after a merge
                rows.append(
                    {
                        "artist_mbid": other.mbid,
                        "name": None if nameless else other.name,
                        "comment": None if nameless else "",
                        "type": None if nameless else "Group",
                        "gender": None,
                        "score": math.floor(match * 2000),
                        "reference_mbid": seed,
                    }
                )
        random.Random(",".join(mbids)).shuffle(rows)  # Labs does not sort
        return JSONResponse(rows)

    @app.get("/similar-artists/json")
    async def similar_get(request: Request) -> Response:
        query = request.query_params
        if "count" in query or "offset" in query:
            return PlainTextResponse(
                "400 Bad Request: offset and count arguments are only supported for the "
                "POST method",
                status_code=400,
            )
        return await _similar(query.getlist("artist_mbids"), query.get("algorithm"))

    @app.post("/similar-artists/json")
    async def similar_post(request: Request, count: int = 100, offset: int = 0) -> Response:
        body = await request.json()
        if not isinstance(body, list) or not body or not isinstance(body[0], dict):
            return PlainTextResponse("400 Bad Request: expected a list of inputs", 400)
        first = body[0]
        return await _similar(
            list(first.get("artist_mbids") or []), first.get("algorithm"), count + offset
        )

    @app.get("/_sim/mode")
    async def get_mode() -> dict[str, Any]:
        return state.config.model_dump()

    @app.post("/_sim/mode")
    async def set_mode(control: SimControl) -> dict[str, Any]:
        state.config = state.config.model_copy(update=control.model_dump(exclude_none=True))
        return state.config.model_dump()

    @app.get("/_sim/stats")
    async def stats() -> dict[str, int]:
        return {"requests": len(state.requests), "refused": state.refused}

    @app.post("/_sim/reset")
    async def reset() -> dict[str, Any]:
        state.config = state.initial
        state.requests.clear()
        state.refused = state.used = 0
        return state.config.model_dump()

    return app
