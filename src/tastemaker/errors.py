"""The one exception tree of the app.

Services raise these; a single handler (see ``problems.py``) turns each into an
RFC 9457 problem+json document under ``/api`` and into a readable page elsewhere.
Every error carries a stable machine-readable ``code`` that scripts may rely on.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

ServiceName = Literal["navidrome", "lidarr", "ollama", "listenbrainz", "lastfm"]

SERVICE_TITLES: dict[str, str] = {
    "navidrome": "Navidrome",
    "lidarr": "Lidarr",
    "ollama": "Ollama",
    "listenbrainz": "ListenBrainz",
    "lastfm": "Last.fm",
}


class AppError(Exception):
    """Base of every error the app turns into a response on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Something went wrong"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.title
        self.extra = extra
        super().__init__(self.detail)

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(AppError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class InvalidInput(AppError):
    """Input that fails validation; ``errors`` lists the failing fields."""

    status = 422
    code = "validation_failed"
    title = "Some fields are not valid"

    def __init__(self, detail: str | None = None, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail, errors=errors or [])


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"
    title = "Sign in first"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="tastemaker"'}


class InvalidCredentials(AppError):
    status = 401
    code = "invalid_credentials"
    title = "Wrong user name or password"


class PermissionDenied(AppError):
    status = 403
    code = "forbidden"
    title = "You are not allowed to do that"


class CsrfFailed(AppError):
    status = 403
    code = "csrf_failed"
    title = "The form expired or did not come from Tastemaker; reload the page and try again"


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "This conflicts with the current state"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    title = "Too many attempts"

    def __init__(self, detail: str | None = None, retry_after: int = 60) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceError(AppError):
    """A connected service (Navidrome, Lidarr, Ollama, …) failed in a predictable way.

    The message always names the service and says what to check.
    """

    status = 502
    code = "service_error"
    title = "A connected service failed"

    def __init__(self, service: ServiceName, detail: str, **extra: Any) -> None:
        super().__init__(detail, service=service, **extra)
        self.service = service

    @property
    def service_title(self) -> str:
        return SERVICE_TITLES.get(self.service, self.service)


class ServiceNotConfigured(ServiceError):
    status = 503
    code = "service_not_configured"
    title = "A service is not configured"


class ServiceUnavailable(ServiceError):
    """The service could not be reached (connection refused, DNS, TLS…)."""

    status = 503
    code = "service_unavailable"
    title = "A service is unreachable"


class ServiceTimeout(ServiceError):
    status = 504
    code = "service_timeout"
    title = "A service took too long to answer"


class ServiceAuthFailed(ServiceError):
    """The service rejected our credentials (API key, password, token)."""

    status = 502
    code = "service_auth_failed"
    title = "A service rejected the credentials"


class ServiceBadResponse(ServiceError):
    """The service answered something we cannot understand (garbage, wrong shape, 5xx)."""

    status = 502
    code = "service_bad_response"
    title = "A service answered something unexpected"


class ServiceNotFound(ServiceError):
    """The service says the thing asked for does not exist (song, artist, model…)."""

    status = 404
    code = "service_not_found"
    title = "Not found on the service"


class ServiceRejected(ServiceError):
    """The service understood the request and refused it (validation, permissions)."""

    status = 502
    code = "service_rejected"
    title = "A service refused the request"


class ServiceRateLimited(ServiceError):
    """The service asked us to slow down and kept refusing after we waited (429, Last.fm 29)."""

    status = 503
    code = "service_rate_limited"
    title = "A service is rate limiting Tastemaker"
