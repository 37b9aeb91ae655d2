"""Turn what the official ``ollama`` client raises into the app's service errors.

The official client is inconsistent about failures (see specs/ollama-notes.md): a
refused connection is the builtin ``ConnectionError`` for plain calls but a raw
``httpx.ConnectError`` once streaming, an HTTP status is ``ResponseError`` (with
``status_code=-1`` for an error line inside a stream), timeouts and dropped
connections pass through as httpx exceptions, and garbage bodies surface as JSON or
pydantic errors. Everything funnels through :func:`translate`, so every caller gets
one ``ServiceError`` naming Ollama and what to check.
"""

from __future__ import annotations

import json
from typing import Final

import httpx
from ollama import ResponseError

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceError,
    ServiceNotFound,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)

SERVICE: Final = "ollama"
_SETTINGS_HINT = "Settings → Services"
# Errors may carry a proxy's HTML page; a message is for people, so keep it short.
_MAX_SAID = 200

# What the official client (and our own version call) may raise for a failed exchange.
# ValueError covers json.JSONDecodeError and pydantic.ValidationError (garbage bodies);
# TypeError is what ``Model(**body)`` raises when a body is JSON but not an object.
FAILURES: tuple[type[BaseException], ...] = (
    ResponseError,
    ConnectionError,
    httpx.HTTPError,
    ValueError,
    TypeError,
)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SAID else text[: _MAX_SAID - 1] + "…"


def not_pulled(model: str, base_url: str) -> ServiceNotFound:
    return ServiceNotFound(
        SERVICE,
        f"model {model} is not pulled on the Ollama server at {base_url} — run "
        f"`ollama pull {model}` there, or choose an installed model in {_SETTINGS_HINT}",
        model=model,
    )


def unreachable(base_url: str, reason: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        SERVICE,
        f"Ollama is not reachable at {base_url} — check that it is running and the URL "
        f"in {_SETTINGS_HINT}",
        reason=reason,
    )


def timed_out(base_url: str, timeout: float | None) -> ServiceTimeout:
    limit = f" within {timeout:g} s" if timeout else ""
    return ServiceTimeout(
        SERVICE,
        f"Ollama at {base_url} did not answer{limit} — the model may still be loading or "
        f"be too slow for this machine; try a smaller model or raise the Ollama timeout "
        f"in {_SETTINGS_HINT}",
        timeout=timeout,
    )


def cut_short(base_url: str, what: str) -> ServiceBadResponse:
    return ServiceBadResponse(
        SERVICE,
        f"Ollama at {base_url} stopped in the middle of answering {what} — check the Ollama "
        f"server's log (it may have crashed or run out of memory)",
    )


def garbage(base_url: str, what: str) -> ServiceBadResponse:
    return ServiceBadResponse(
        SERVICE,
        f"the server at {base_url} answered {what} with something that is not Ollama's "
        f"API — check the Ollama URL in {_SETTINGS_HINT}",
    )


def _said(body: str) -> str:
    """Ollama's ``{"error": "…"}`` message, else the raw body (a proxy's page, say)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return _short(body)
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        return _short(parsed["error"])
    return _short(body)


def _status_error(
    status: int, said: str, base_url: str, what: str, model: str | None
) -> ServiceError:
    if status == -1:
        # An ``{"error": …}`` line after output had started: the runner failed mid-answer.
        return ServiceBadResponse(
            SERVICE,
            f"Ollama failed in the middle of answering {what}: {said} — check the Ollama "
            "server's log",
            ollama_error=said,
        )
    if status == 404:
        # Ollama answers 404 only for a missing model ("model 'x' not found"); any other
        # 404 ("404 page not found") means the URL points at something else, or at a
        # wrong sub-path behind a proxy.
        lowered = said.lower()
        if model is not None and "model" in lowered and "not found" in lowered:
            return not_pulled(model, base_url)
        return ServiceBadResponse(
            SERVICE,
            f"{base_url} answered 404 for {what} — check that the Ollama URL in "
            f"{_SETTINGS_HINT} points at Ollama",
            status=status,
        )
    if status in (401, 403):
        return ServiceAuthFailed(
            SERVICE,
            f"Ollama at {base_url} refused the request ({said}) — check the URL and any "
            f"proxy credentials in {_SETTINGS_HINT}",
            status=status,
        )
    if status == 503:
        return ServiceUnavailable(
            SERVICE,
            f"Ollama at {base_url} is busy or unavailable ({said}) — try again shortly",
            status=status,
        )
    if 400 <= status < 500:
        return ServiceRejected(
            SERVICE, f"Ollama refused {what}: {said}", status=status, ollama_error=said
        )
    return ServiceBadResponse(
        SERVICE,
        f"Ollama failed while answering {what}: {said} (HTTP {status}) — check the Ollama "
        f"server's log",
        status=status,
        ollama_error=said,
    )


def translate(
    exc: BaseException,
    *,
    base_url: str,
    timeout: float | None,
    what: str,
    model: str | None = None,
) -> ServiceError:
    """The service error for one of :data:`FAILURES` raised while asking for ``what``.

    ``model`` is the model the call concerns (chat, show): a 404 then means it is not pulled.
    """
    if isinstance(exc, ResponseError):
        return _status_error(exc.status_code, _short(str(exc.error)), base_url, what, model)
    if isinstance(exc, httpx.ConnectTimeout):
        # Nothing accepted the connection: a firewall or a wrong host, not a slow model.
        return unreachable(base_url, "connect timeout")
    if isinstance(exc, httpx.TimeoutException):
        return timed_out(base_url, timeout)
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return unreachable(base_url, type(exc).__name__)
    if isinstance(exc, httpx.HTTPStatusError):  # only from our own version call
        status = exc.response.status_code
        return _status_error(status, _said(exc.response.text), base_url, what, model)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return cut_short(base_url, what)
    if isinstance(exc, httpx.HTTPError):
        return unreachable(base_url, type(exc).__name__)
    return garbage(base_url, what)
