"""Turn Navidrome's failures into the app's service errors, with messages a user can act on.

Subsonic servers answer most failures with HTTP 200 and ``status: "failed"``
plus a numeric code; transport problems, HTTP errors and unreadable bodies are
mapped here too. No message ever contains a URL (ours carry credentials in the
query string) nor a password; the server's own error text is kept, shortened.
"""

from __future__ import annotations

import httpx

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceError,
    ServiceName,
    ServiceNotFound,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)

SERVICE: ServiceName = "navidrome"
_WHERE = "check the Navidrome account in your profile or in Settings → Services"

# Subsonic error codes (see specs/subsonic-notes.md, "Envelope").
MISSING_PARAMETER = 10
WRONG_CREDENTIALS = 40
TOKEN_AUTH_UNSUPPORTED = 41
AUTH_MECHANISM_UNSUPPORTED = 42
NOT_AUTHORISED = 50
NOT_FOUND = 70


class SubsonicFailure(ServiceRejected):
    """A ``status: "failed"`` envelope whose code has no more precise mapping."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(SERVICE, f"Navidrome refused the request: {message} (code {code})")
        self.subsonic_code = code


def from_subsonic_error(code: int, message: str | None) -> ServiceError:
    text = (message or "no message").strip()[:200]
    if code == WRONG_CREDENTIALS:
        return ServiceAuthFailed(
            SERVICE, f"Navidrome rejected the user name or password — {_WHERE}"
        )
    if code in (TOKEN_AUTH_UNSUPPORTED, AUTH_MECHANISM_UNSUPPORTED, 43, 44):
        return ServiceAuthFailed(
            SERVICE,
            f"Navidrome does not accept this way of signing in ({text}) — "
            "set the Navidrome auth style to 'password' or 'auto' in Settings → Services",
        )
    if code == NOT_AUTHORISED:
        return ServiceRejected(
            SERVICE,
            "Navidrome says this account is not allowed to do that — "
            "an admin can grant the permission in Navidrome",
        )
    if code == NOT_FOUND:
        return ServiceNotFound(SERVICE, f"Navidrome has no such item: {text}")
    if code in (20, 30):
        return ServiceRejected(
            SERVICE, f"Navidrome and Tastemaker speak incompatible API versions: {text}"
        )
    return SubsonicFailure(code, text)


def no_account() -> ServiceAuthFailed:
    return ServiceAuthFailed(SERVICE, f"No Navidrome account is set — {_WHERE}")


def transport_error(
    exc: httpx.TransportError, base_url: str, timeout: float | None
) -> ServiceError:
    if isinstance(exc, httpx.TimeoutException):
        seconds = f" within {timeout:g} s" if timeout else ""
        return ServiceTimeout(
            SERVICE,
            f"Navidrome did not answer{seconds} — check that it is running and not overloaded",
        )
    return ServiceUnavailable(
        SERVICE,
        f"Could not reach Navidrome at {base_url} — check the URL in Settings → Services "
        "and that Navidrome is running",
    )


def bad_response(what: str) -> ServiceBadResponse:
    return ServiceBadResponse(
        SERVICE,
        f"Navidrome answered something unexpected ({what}) — "
        "check that the URL points at Navidrome (or another Subsonic server)",
    )


def http_status_error(status: int) -> ServiceError:
    if status in (401, 403):
        return ServiceAuthFailed(
            SERVICE,
            f"Navidrome (or a proxy in front of it) refused access (HTTP {status}) — {_WHERE}",
        )
    if status == 429:
        return ServiceUnavailable(
            SERVICE, "Navidrome is busy (too many streams) — try again shortly"
        )
    if status >= 500:
        return ServiceBadResponse(
            SERVICE, f"Navidrome failed with HTTP {status} — check Navidrome's log"
        )
    return bad_response(f"HTTP {status}")
