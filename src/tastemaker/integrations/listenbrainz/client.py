"""A small typed async client for the ListenBrainz API and its Labs similar-artists endpoint.

Written against specs/listenbrainz-notes.md. It honours the rate limiter: the
``X-RateLimit-*`` headers of every answer are read, a call waits while the window
is used up, and a 429 (plain text, not JSON) is retried after ``X-RateLimit-Reset-In``
seconds, at most ``retries`` times and never waiting longer than ``max_wait``; then
it gives up with :class:`~tastemaker.errors.ServiceRateLimited`. Labs has no rate
headers, so its calls are spaced by ``labs_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from .errors import SERVICE, garbage_error, status_error, transport_error
from .models import (
    Listen,
    ListensPayload,
    SimilarArtist,
    TokenCheck,
    TopArtist,
    TopArtistsPayload,
)

DEFAULT_URL = "https://api.listenbrainz.org"
DEFAULT_LABS_URL = "https://labs.api.listenbrainz.org"
# What the site's own Music Neighborhood page asks Labs for (see the notes).
DEFAULT_ALGORITHM = (
    "session_based_days_7500_session_300_contribution_5_threshold_10_limit_100_filter_True_skip_30"
)
RANGES = (
    "this_week",
    "this_month",
    "this_year",
    "week",
    "month",
    "quarter",
    "year",
    "half_yearly",
    "all_time",
)
DEFAULT_TIMEOUT = 10.0
_USER_AGENT = "Tastemaker (self-hosted music discovery)"

M = TypeVar("M", bound=BaseModel)


class ListenBrainzClient:
    """ListenBrainz, read-only: token check, top artists, listens, similar artists.

    The ``http`` pool is injected and left open for its owner.
    """

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx.AsyncClient,
        labs_url: str | None = None,
        token: str | None = None,
        algorithm: str = DEFAULT_ALGORITHM,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 2,
        max_wait: float = 30.0,
        labs_interval: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.labs_url = (labs_url or DEFAULT_LABS_URL).rstrip("/")
        self._http = http
        self._token = token
        self.algorithm = algorithm or DEFAULT_ALGORITHM
        self.timeout = timeout
        self.retries = retries
        self.max_wait = max_wait
        self.labs_interval = labs_interval
        self._resume_at = 0.0  # monotonic time before which the window is used up
        self._labs_next = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the token
        return f"ListenBrainzClient({self.base_url!r})"

    def with_token(self, token: str | None) -> ListenBrainzClient:
        """The same server and pool, speaking with a user's token (or none)."""
        return ListenBrainzClient(
            self.base_url,
            http=self._http,
            labs_url=self.labs_url,
            token=token,
            algorithm=self.algorithm,
            timeout=self.timeout,
            retries=self.retries,
            max_wait=self.max_wait,
            labs_interval=self.labs_interval,
        )

    # -- transport ---------------------------------------------------------------

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if token:
            headers["Authorization"] = f"Token {token}"
        return headers

    async def _wait_for_window(self) -> None:
        delay = self._resume_at - time.monotonic()
        if delay > self.max_wait:
            raise status_error(httpx.Response(429), "")
        if delay > 0:
            await asyncio.sleep(delay)

    def _remember_window(self, response: httpx.Response) -> float | None:
        """Note when the window reopens; returns Reset-In (seconds) when given."""
        reset_in = _number(response.headers.get("X-RateLimit-Reset-In"))
        remaining = _number(response.headers.get("X-RateLimit-Remaining"))
        if reset_in is not None and (remaining == 0 or response.status_code == 429):
            self._resume_at = time.monotonic() + reset_in
        return reset_in

    async def _get(
        self,
        url: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        """One main-API GET, waiting out the rate limiter; returns a 2xx response."""
        for attempt in range(self.retries + 1):
            await self._wait_for_window()
            try:
                response = await self._http.get(
                    url, params=params, headers=self._headers(token), timeout=self.timeout
                )
            except httpx.TransportError as exc:
                raise transport_error(exc, self.base_url, self.timeout) from exc
            reset_in = self._remember_window(response)
            if response.status_code != 429:
                if response.status_code >= 400:
                    raise status_error(response, what)
                return response
            wait = reset_in if reset_in is not None else 10.0
            if attempt == self.retries or wait > self.max_wait:
                break
            await asyncio.sleep(max(wait, 0.0))
        raise status_error(response, what)

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        if "json" not in response.headers.get("content-type", ""):
            raise garbage_error(what, "something that is not JSON")
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise garbage_error(what, "something that is not JSON") from exc

    @staticmethod
    def _parse(model: type[M], data: Any, what: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the top level"
            raise garbage_error(what, f"data of the wrong shape ({where}: {first['msg']})") from exc

    # -- calls -------------------------------------------------------------------

    async def validate_token(self, token: str) -> TokenCheck:
        """Whether ``token`` is a valid user token, and whose (ListenBrainz answers 200 either way)."""
        what = "the token check"
        response = await self._get(f"{self.base_url}/1/validate-token", what, token=token)
        return self._parse(TokenCheck, self._json(response, what), what)

    async def top_artists(
        self, user: str, *, range: str = "all_time", count: int = 25
    ) -> list[TopArtist]:
        """The user's most listened artists; empty while ListenBrainz has not computed them (204)."""
        what = f"user {user!r}"
        response = await self._get(
            f"{self.base_url}/1/stats/user/{quote(user, safe='')}/artists",
            what,
            params={"range": range, "count": count},
            token=self._token,
        )
        if response.status_code == 204:
            return []
        data = self._json(response, what)
        payload = self._parse(TopArtistsPayload, (data or {}).get("payload", {}), what)
        return payload.artists

    async def listens(self, user: str, *, count: int = 25) -> list[Listen]:
        """The user's latest listens, newest first."""
        what = f"user {user!r}"
        response = await self._get(
            f"{self.base_url}/1/user/{quote(user, safe='')}/listens",
            what,
            params={"count": count},
            token=self._token,
        )
        data = self._json(response, what)
        return self._parse(ListensPayload, (data or {}).get("payload", {}), what).listens

    async def similar_artists(self, mbids: Sequence[str]) -> list[SimilarArtist]:
        """Labs' similar artists of each seed, best first; rows without a name are skipped."""
        if not mbids:
            return []
        what = "the similar-artists request"
        async with self._lock:
            delay = self._labs_next - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._labs_next = time.monotonic() + self.labs_interval
        try:
            response = await self._http.get(
                f"{self.labs_url}/similar-artists/json",
                params={"artist_mbids": list(mbids), "algorithm": self.algorithm},
                headers=self._headers(None),
                timeout=self.timeout,
            )
        except httpx.TransportError as exc:
            raise transport_error(exc, self.labs_url, self.timeout) from exc
        if response.status_code >= 400:
            raise status_error(response, what)
        data = self._json(response, what)
        if not isinstance(data, list):
            raise garbage_error(what, "something that is not a list")
        rows = [self._parse(SimilarArtist, row, what) for row in data]
        # Labs does not sort; scores are only comparable within one seed.
        return sorted((row for row in rows if row.name), key=lambda row: -row.score)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


__all__ = ["DEFAULT_ALGORITHM", "DEFAULT_LABS_URL", "DEFAULT_URL", "SERVICE", "ListenBrainzClient"]
