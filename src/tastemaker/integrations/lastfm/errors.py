"""Last.fm's error codes as the app's service errors, each naming Last.fm.

Last.fm's HTTP status is unreliable (errors often come with 200), so the client
decides from the body's ``error`` code; see the table in specs/lastfm-notes.md.
The API key travels as a query parameter, so no URL is ever put in a message.
"""

from __future__ import annotations

import httpx

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceError,
    ServiceName,
    ServiceRateLimited,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)

SERVICE: ServiceName = "lastfm"
NOT_FOUND = 6
BAD_KEY = 10
SUSPENDED = 26
RATE_LIMITED = 29
TRANSIENT = frozenset({8, 11, 16})
PRIVATE = 17


def transport_error(exc: httpx.TransportError, url: str, timeout: float) -> ServiceError:
    if isinstance(exc, httpx.TimeoutException):
        return ServiceTimeout(
            SERVICE, f"Last.fm at {url} did not answer within {timeout:g} s — try again later"
        )
    return ServiceUnavailable(
        SERVICE,
        f"Could not reach Last.fm at {url} — check the address in Settings → Services and "
        "that this server can reach it",
        reason=type(exc).__name__,
    )


def code_error(code: int, message: str, what: str) -> ServiceError:
    """An ``{"error": code}`` answer that retrying will not fix (or did not fix)."""
    if code == BAD_KEY:
        return ServiceAuthFailed(
            SERVICE, "Last.fm rejected the API key — check Settings → Services", lastfm_error=code
        )
    if code == SUSPENDED:
        return ServiceAuthFailed(
            SERVICE,
            "Last.fm suspended this API key — create a new one at last.fm/api and enter it in "
            "Settings → Services",
            lastfm_error=code,
        )
    if code == RATE_LIMITED:
        return ServiceRateLimited(
            SERVICE,
            "Last.fm is rate limiting Tastemaker — wait a few minutes and try again",
            lastfm_error=code,
        )
    if code in TRANSIENT:
        return ServiceUnavailable(
            SERVICE,
            f"Last.fm could not answer {what} ({message or 'temporary error'}) — try again later",
            lastfm_error=code,
        )
    if code == PRIVATE:
        return ServiceRejected(
            SERVICE,
            f"Last.fm keeps {what} private — the user hides their recent listening",
            lastfm_error=code,
        )
    return ServiceRejected(
        SERVICE, f"Last.fm refused {what}: {message or f'error {code}'}", lastfm_error=code
    )


def garbage_error(what: str, status: int) -> ServiceBadResponse:
    return ServiceBadResponse(
        SERVICE,
        f"Last.fm answered {what} with something that is not JSON (HTTP {status}) — it may be "
        "down; try again later",
        status=status,
    )
