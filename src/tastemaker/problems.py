"""Turn every error into an answer: RFC 9457 problem+json under /api, a page elsewhere.

No stack trace ever reaches a client: unexpected exceptions are logged and answered
with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from tastemaker.errors import AppError, NotAuthenticated

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def is_api(request: Request) -> bool:
    path = request.url.path[len(request.scope.get("root_path", "")) :]
    return path == "/api" or path.startswith("/api/")


RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "instance"})


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    instance: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    # An extension member never overrides a standard one (e.g. an upstream "status").
    members = {
        (f"upstream_{k}" if k in RESERVED_MEMBERS else k): v for k, v in (extra or {}).items()
    }
    return {
        "type": f"tag:tastemaker,2026:problem/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
        **members,
    }


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body = problem(status, code, title, detail, instance=request.url.path, extra=extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _page(request: Request, status: int, title: str, detail: str) -> Response:
    # Imported here: web.py needs the app's templates, which exist only after start-up.
    from tastemaker.web import render_error_page

    return render_error_page(request, status, title, detail)


async def handle_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if exc.status >= 500:
        log.warning("%s: %s", exc.code, exc.detail)
    if is_api(request):
        return problem_response(
            request, exc.status, exc.code, exc.title, exc.detail, exc.headers(), exc.extra
        )
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    response = _page(request, exc.status, exc.title, exc.detail)
    response.headers.update(exc.headers())
    return response


def login_redirect(request: Request) -> Response:
    root = request.scope.get("root_path", "")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{root}/login?next={quote(target[len(root) :] or '/')}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(part) for part in error["loc"] if part not in ("body", "query")),
            "location": str(error["loc"][0]) if error["loc"] else "",
            "message": error["msg"],
        }
        for error in exc.errors()
    ]
    detail = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors)
    if is_api(request):
        return problem_response(
            request,
            422,
            "validation_failed",
            "Some fields are not valid",
            detail,
            extra={"errors": errors},
        )
    return _page(request, 400, "That request was not valid", detail)


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers as objects
            yield from _routes(route.original_router.routes)


def allowed_methods(request: Request) -> str:
    """Every method the path answers to, across all routes (Starlette names only one's)."""
    path = request.url.path[len(request.scope.get("root_path", "")) :]
    methods: set[str] = set()
    for route in _routes(list(request.app.router.routes)):
        if route.path_regex.match(path):
            methods |= route.methods or set()
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 405:
        headers["Allow"] = allowed_methods(request)
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase
    if status == 404:
        detail = "There is nothing at this address."
    if is_api(request):
        code = _HTTP_CODES.get(status, f"http_{status}")
        return problem_response(request, status, code, phrase, detail, headers)
    response = _page(request, status, phrase, detail)
    response.headers.update(headers)
    return response


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("Unexpected error on %s %s", request.method, request.url.path)
    detail = "Tastemaker hit an unexpected error. It has been logged; try again."
    if is_api(request):
        return problem_response(request, 500, "internal_error", "Internal error", detail)
    return _page(request, 500, "Something went wrong", detail)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)
