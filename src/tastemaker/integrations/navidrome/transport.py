"""The Subsonic wire protocol under the Navidrome client: URLs, auth, envelopes, errors.

Every call is a GET to ``{base}/rest/{method}`` with ``v``, ``c``, ``f=json`` and
the credentials in the query (GET because supysonic honours ``Range`` only on GET;
httpx's request log lines are scrubbed by ``auth.RedactSubsonicSecrets``). A reply
is an envelope whose ``status`` says whether it worked, whatever the HTTP status.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from tastemaker.integrations.navidrome import errors
from tastemaker.integrations.navidrome.auth import (
    AuthMode,
    NavidromeCredentials,
    ResolvedAuth,
    auth_params,
    install_log_redaction,
)
from tastemaker.integrations.navidrome.streaming import (
    PASSED_STATUSES,
    BinaryStream,
    forwarded_headers,
    passed_headers,
)

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
Params = Mapping[str, str | int | bool | Iterable[str] | None]

API_VERSION = "1.16.1"
_JSON_TYPES = ("application/json", "text/json", "text/xml", "application/xml", "text/plain")
# Answers to a token-auth request that may mean "this server wants a password":
# supysonic says 10 (no ``p``), OpenSubsonic servers 41/42, some classic ones 40.
_TOKEN_REFUSALS = (
    errors.MISSING_PARAMETER,
    errors.WRONG_CREDENTIALS,
    errors.TOKEN_AUTH_UNSUPPORTED,
    errors.AUTH_MECHANISM_UNSUPPORTED,
)


class _AuthState:
    """The auth style a server turned out to accept, shared by every user's view."""

    def __init__(self, mode: AuthMode) -> None:
        self.mode = mode
        self.resolved: ResolvedAuth | None = None if mode == "auto" else mode


class SubsonicTransport:
    """One server's address, timeout and auth style; credentials come with each call."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        auth: AuthMode,
        timeout: float,
        client_name: str,
    ) -> None:
        url = httpx.URL(base_url.rstrip("/"))
        # A URL typed with user:pass@ must never reach a message or a log line.
        self.base_url = str(url.copy_with(username=None, password=None))
        self.http = http
        self.timeout = timeout
        self._client_name = client_name
        self._state = _AuthState(auth)
        install_log_redaction()

    @property
    def auth_style(self) -> ResolvedAuth | None:
        return self._state.resolved

    def _query(
        self, params: Params, credentials: NavidromeCredentials, mode: ResolvedAuth
    ) -> list[tuple[str, str | int | float | bool | None]]:
        query: list[tuple[str, str | int | float | bool | None]] = [
            ("v", API_VERSION),
            ("c", self._client_name),
            ("f", "json"),
            *auth_params(credentials, mode).items(),
        ]
        for name, value in params.items():
            if value is None:
                continue
            if isinstance(value, bool):
                query.append((name, "true" if value else "false"))
            elif isinstance(value, str | int):
                query.append((name, str(value)))
            else:  # repeated parameter: id=1&id=2
                query.extend((name, str(item)) for item in value)
        return query

    async def _send(
        self,
        method: str,
        query: list[tuple[str, str | int | float | bool | None]],
        *,
        stream: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        request = self.http.build_request(
            "GET",
            f"{self.base_url}/rest/{method}",
            params=query,
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
        )
        try:
            return await self.http.send(request, stream=stream)
        except httpx.TransportError as exc:
            raise errors.transport_error(exc, self.base_url, self.timeout) from None

    @staticmethod
    async def _envelope(response: httpx.Response) -> dict[str, Any]:
        try:
            # pydantic-core's parser: a 33 KB album list in 0.29 ms against json's 0.49.
            data = from_json(await response.aread())
        except ValueError:  # not JSON, or not UTF-8
            data = None
        envelope = data.get("subsonic-response") if isinstance(data, dict) else None
        if not isinstance(envelope, dict):
            if response.status_code >= 400:
                raise errors.http_status_error(response.status_code)
            raise errors.bad_response("not a Subsonic JSON response")
        return envelope

    @staticmethod
    def _failure(envelope: dict[str, Any]) -> tuple[int, str] | None:
        if envelope.get("status") == "ok":
            return None
        error = envelope.get("error") or {}
        code = error.get("code", 0) if isinstance(error, dict) else 0
        message = error.get("message", "") if isinstance(error, dict) else ""
        return (int(code) if isinstance(code, int | str) and str(code).isdigit() else 0), str(
            message
        )

    async def call(
        self, method: str, params: Params | None, account: NavidromeCredentials
    ) -> tuple[dict[str, Any], httpx.Response]:
        """One JSON call; in ``auto`` mode the first calls also learn the auth style."""
        mode = self._state.resolved or "token"
        response = await self._send(method, self._query(params or {}, account, mode))
        envelope = await self._envelope(response)
        failure = self._failure(envelope)
        if failure and self._state.resolved is None and failure[0] in _TOKEN_REFUSALS:
            # ``auto`` and not yet known: try the password once, and remember it
            # only if the server then answers something other than an auth refusal.
            logger.info("Navidrome at %s refused token auth; trying password auth", self.base_url)
            response = await self._send(method, self._query(params or {}, account, "password"))
            envelope = await self._envelope(response)
            second = self._failure(envelope)
            if second is None or second[0] not in (*_TOKEN_REFUSALS, errors.MISSING_PARAMETER):
                self._state.resolved = "password"
            failure = second
        if failure:
            raise errors.from_subsonic_error(*failure)
        if self._state.resolved is None:
            self._state.resolved = mode
        if response.status_code >= 400:
            raise errors.http_status_error(response.status_code)
        return envelope, response

    @staticmethod
    def parse(envelope: dict[str, Any], key: str, model: type[M], *, required: bool) -> M:
        payload = envelope.get(key)
        if payload is None and not required:
            payload = {}  # servers drop empty payloads as they drop empty lists
        if not isinstance(payload, dict):
            raise errors.bad_response(f"no '{key}' in the answer")
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            raise errors.bad_response(
                f"'{key}' has an unexpected shape: {exc.error_count()} errors"
            ) from None

    @asynccontextmanager
    async def binary(
        self,
        method: str,
        params: Params,
        request_headers: Mapping[str, str] | None,
        account: NavidromeCredentials,
    ) -> AsyncIterator[BinaryStream]:
        """Media as it arrives; an error envelope in place of media raises instead."""
        if self._state.resolved is None:
            await self.call("ping", None, account)  # learn the auth style on a cheap call
        mode = self._state.resolved or "token"
        response = await self._send(
            method,
            self._query(params, account, mode),
            stream=True,
            headers=forwarded_headers(request_headers),
        )
        try:
            content_type = response.headers.get("content-type", "")
            # Errors come back as an envelope (HTTP 200) instead of bytes; media is never
            # text (an HTML page is a proxy's or a broken server's, not a song).
            if (
                content_type.startswith((*_JSON_TYPES, "text/"))
                or response.status_code not in PASSED_STATUSES
            ):
                envelope = await self._envelope(response)
                failure = self._failure(envelope)
                if failure:
                    raise errors.from_subsonic_error(*failure)
                raise errors.bad_response(f"a {content_type or 'typeless'} answer instead of media")
            yield BinaryStream(response.status_code, passed_headers(response), response)
        except httpx.TransportError as exc:
            raise errors.transport_error(exc, self.base_url, self.timeout) from None
        finally:
            await response.aclose()

    @staticmethod
    def parse_list(raw: Any, model: type[M], what: str) -> list[M]:
        """A list payload (``genre``, ``musicFolder``…); absent means empty."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise errors.bad_response(f"'{what}' is not a list")
        try:
            return [model.model_validate(item) for item in raw]
        except ValidationError as exc:
            raise errors.bad_response(
                f"'{what}' has an unexpected shape: {exc.error_count()} errors"
            ) from None
