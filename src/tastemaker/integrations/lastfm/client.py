"""A small typed async client for the Last.fm read methods Tastemaker uses.

Written against specs/lastfm-notes.md: one GET endpoint dispatching on ``method``,
``api_key`` and ``format=json`` on every call, errors decided from the body
(whatever the HTTP status). Calls are spaced ``min_interval`` apart (Last.fm asks
for no more than a few per second); error 29 (rate limit) and the transient codes
8, 11 and 16 (and a non-JSON body) are retried with exponential backoff starting
at ``backoff`` seconds, at most ``retries`` times; 10 and 26 stop at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from .errors import (
    NOT_FOUND,
    RATE_LIMITED,
    TRANSIENT,
    code_error,
    garbage_error,
    transport_error,
)
from .models import (
    RecentTrack,
    SimilarArtist,
    TopArtist,
    parse_recent_tracks,
    parse_similar,
    parse_top_artists,
)

DEFAULT_URL = "https://ws.audioscrobbler.com/2.0/"
DEFAULT_TIMEOUT = 10.0
PERIODS = ("overall", "7day", "1month", "3month", "6month", "12month")
_USER_AGENT = "Tastemaker/1 (self-hosted music discovery)"
_UNKNOWN_ARTIST = "[unknown]"


class _Retry(Exception):
    """A failure worth another try after a pause (rate limit, Last.fm busy)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class LastfmNotFound(Exception):
    """Error 6: no such user or artist. Callers decide whether that is an error."""


class LastfmClient:
    """Last.fm API 2.0, read-only. The ``http`` pool is injected and left open."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        http: httpx.AsyncClient,
        timeout: float = DEFAULT_TIMEOUT,
        min_interval: float = 0.25,
        backoff: float = 5.0,
        retries: int = 2,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._api_key = api_key
        self._http = http
        self.timeout = timeout
        self.min_interval = min_interval
        self.backoff = backoff
        self.retries = retries
        self._next_call = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the key
        return f"LastfmClient({self.base_url!r})"

    # -- transport ---------------------------------------------------------------

    async def _pace(self) -> None:
        async with self._lock:
            delay = self._next_call - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next_call = time.monotonic() + self.min_interval

    async def _once(self, params: dict[str, str | int], what: str) -> dict[str, Any]:
        await self._pace()
        try:
            response = await self._http.get(
                self.base_url,
                params={**params, "api_key": self._api_key, "format": "json"},
                headers={"User-Agent": _USER_AGENT, "Accept": "application/json"},
                timeout=self.timeout,
            )
        except httpx.TransportError as exc:
            raise transport_error(exc, self.base_url, self.timeout) from exc
        try:
            body: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            # A proxy's HTML 502/503 or an empty body: Last.fm is having a bad moment.
            raise _Retry(0, f"HTTP {response.status_code}") from exc
        if not isinstance(body, dict):
            raise garbage_error(what, response.status_code)
        if "error" in body:
            code = int(body["error"]) if str(body["error"]).isdigit() else -1
            message = str(body.get("message") or "")
            if code == NOT_FOUND:
                raise LastfmNotFound(message)
            if code == RATE_LIMITED or code in TRANSIENT:
                raise _Retry(code, message)
            raise code_error(code, message, what)
        return body

    async def _call(self, params: dict[str, str | int], what: str) -> dict[str, Any]:
        pause = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return await self._once(params, what)
            except _Retry as retry:
                if attempt == self.retries:
                    if retry.code == 0:
                        raise garbage_error(what, int(retry.message.split()[-1])) from None
                    raise code_error(retry.code, retry.message, what) from None
            await asyncio.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    # -- calls -------------------------------------------------------------------

    async def top_artists(
        self, user: str, *, period: str = "overall", limit: int = 50
    ) -> list[TopArtist]:
        """The user's most played artists; raises :class:`LastfmNotFound` for an unknown user."""
        body = await self._call(
            {"method": "user.gettopartists", "user": user, "period": period, "limit": limit},
            f"the top artists of {user!r}",
        )
        return parse_top_artists(body)

    async def recent_tracks(self, user: str, *, limit: int = 50) -> list[RecentTrack]:
        """The user's latest scrobbles, newest first (the track playing now, if any, first)."""
        body = await self._call(
            {"method": "user.getrecenttracks", "user": user, "limit": min(limit, 200)},
            f"the recent tracks of {user!r}",
        )
        return parse_recent_tracks(body)

    async def similar_artists(
        self, *, name: str | None = None, mbid: str | None = None, limit: int = 20
    ) -> list[SimilarArtist]:
        """Similar artists, by MBID when known, falling back to the name as Last.fm often
        does not know an MBID (error 6, or the "[unknown]" placeholder); ``[]`` if neither."""
        attempts: list[dict[str, str | int]] = []
        if mbid:
            attempts.append({"mbid": mbid})
        if name:
            attempts.append({"artist": name, "autocorrect": 1})
        for lookup in attempts:
            try:
                body = await self._call(
                    {"method": "artist.getsimilar", "limit": limit, **lookup},
                    f"the similar artists of {name or mbid!r}",
                )
            except LastfmNotFound:
                continue
            seed, similar = parse_similar(body)
            if seed != _UNKNOWN_ARTIST and (similar or "artist" in lookup):
                return similar
        return []

    async def check_key(self) -> None:
        """Raise if the API key is refused; any read method does, an unknown artist is fine."""
        try:
            await self._call(
                {"method": "artist.getsimilar", "artist": "Radiohead", "limit": 1},
                "the API key check",
            )
        except LastfmNotFound:
            return
