"""Turn Lidarr's failures into the app's service errors, with messages a user can act on.

Every message names Lidarr and says what to check. None carries the API key: it
travels only in the ``X-Api-Key`` header, and no header is ever put in a message.
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
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)

SERVICE: ServiceName = "lidarr"
_SETTINGS_HINT = "check Settings → Services"


def transport_error(
    exc: httpx.TransportError, base_url: str, timeout: float | None
) -> ServiceError:
    """A request that never got an answer: refused, unreachable, or too slow."""
    if isinstance(exc, httpx.TimeoutException):
        limit = f" within {timeout:g} s" if timeout else ""
        return ServiceTimeout(
            SERVICE,
            f"Lidarr at {base_url} did not answer{limit} — check that it is not overloaded "
            f"or stuck, and that the URL in Settings → Services is right",
        )
    return ServiceUnavailable(
        SERVICE,
        f"Could not reach Lidarr at {base_url} — check that it is running and that "
        f"the URL in Settings → Services is right",
        reason=type(exc).__name__,
    )


def _lidarr_message(response: httpx.Response) -> str | None:
    """Lidarr's own words: ``{message}`` bodies or validation arrays of ``{errorMessage}``."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    if isinstance(body, list):
        messages = [
            str(item["errorMessage"])
            for item in body
            if isinstance(item, dict) and item.get("errorMessage")
        ]
        if messages:
            return "; ".join(messages)
    return None


def status_error(response: httpx.Response, what: str) -> ServiceError:
    """An HTTP error status from Lidarr (``what`` names the call, e.g. "the artist 7")."""
    status = response.status_code
    said = _lidarr_message(response)
    suffix = f": {said}" if said else ""
    if status in (401, 403):
        return ServiceAuthFailed(
            SERVICE, f"Lidarr rejected the API key — {_SETTINGS_HINT}", status=status
        )
    if status == 404:
        return ServiceNotFound(
            SERVICE, f"Lidarr has no {what}{suffix}", status=status, lidarr_message=said
        )
    if 400 <= status < 500:
        return ServiceRejected(
            SERVICE,
            f"Lidarr refused {what}{suffix or f' (HTTP {status})'}",
            status=status,
            lidarr_message=said,
        )
    return ServiceBadResponse(
        SERVICE,
        f"Lidarr failed on {what} with HTTP {status}{suffix} — check Lidarr's logs "
        f"(System → Logs in Lidarr)",
        status=status,
        lidarr_message=said,
    )


def garbage_error(what: str, problem: str) -> ServiceBadResponse:
    """A 2xx answer we cannot use: not JSON, or JSON of the wrong shape."""
    return ServiceBadResponse(
        SERVICE,
        f"Lidarr answered {what} with {problem} — check that the URL in Settings → Services "
        f"points at Lidarr itself (not a proxy or login page) and that Lidarr is up to date",
    )
