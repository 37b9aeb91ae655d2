"""ListenBrainz's failures as the app's service errors, each naming ListenBrainz.

The main API answers errors as ``{"code": n, "error": "…"}``; its 429 is plain text
from the rate limiter; Labs answers 400 as text and 500 as ``{}``; a proxy in front
may answer HTML. Every shape ends up here as one readable message. The user token
travels only in the ``Authorization`` header and never appears in a message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceError,
    ServiceName,
    ServiceNotFound,
    ServiceRateLimited,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)

SERVICE: ServiceName = "listenbrainz"


def transport_error(exc: httpx.TransportError, url: str, timeout: float) -> ServiceError:
    if isinstance(exc, httpx.TimeoutException):
        return ServiceTimeout(
            SERVICE,
            f"ListenBrainz at {url} did not answer within {timeout:g} s — it may be busy; "
            "try again later",
        )
    return ServiceUnavailable(
        SERVICE,
        f"Could not reach ListenBrainz at {url} — check the address in Settings → Services "
        "and that this server can reach it",
        reason=type(exc).__name__,
    )


def _said(response: httpx.Response) -> str | None:
    if "json" not in response.headers.get("content-type", ""):
        text = response.text.strip()
        # Labs explains a bad request in plain text; HTML (a proxy's page) says nothing useful.
        return text[:300] if text and not text.startswith("<") else None
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return None


def status_error(response: httpx.Response, what: str) -> ServiceError:
    status = response.status_code
    said = _said(response)
    suffix = f": {said}" if said else ""
    if status == 401:
        return ServiceAuthFailed(
            SERVICE,
            "ListenBrainz rejected the user token — copy it again from "
            "listenbrainz.org/settings on your profile page",
            status=status,
        )
    if status == 404:
        return ServiceNotFound(SERVICE, f"ListenBrainz has no {what}{suffix}", status=status)
    if status == 429:
        return ServiceRateLimited(
            SERVICE,
            "ListenBrainz is rate limiting Tastemaker — wait a minute and try again",
            status=status,
        )
    if 400 <= status < 500:
        return ServiceRejected(
            SERVICE, f"ListenBrainz refused {what}{suffix or f' (HTTP {status})'}", status=status
        )
    return ServiceBadResponse(
        SERVICE,
        f"ListenBrainz failed on {what} with HTTP {status}{suffix} — it may be down for "
        "maintenance; try again later",
        status=status,
    )


def garbage_error(what: str, problem: str) -> ServiceBadResponse:
    return ServiceBadResponse(
        SERVICE,
        f"ListenBrainz answered {what} with {problem} — check that the address in "
        "Settings → Services points at the ListenBrainz API",
    )
