"""Sign in, sign out and first-run set-up: the JSON API and the pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from tastemaker.auth import service
from tastemaker.auth.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    DbSession,
    OptionalPrincipal,
    verify_anonymous_csrf,
)
from tastemaker.auth.models import Role, User, UserSession
from tastemaker.auth.schemas import LoginIn, LoginOut, MeOut, UserOut
from tastemaker.errors import (
    AppError,
    InvalidCredentials,
    InvalidInput,
    PermissionDenied,
    RateLimited,
)
from tastemaker.users import navidrome as navidrome_accounts
from tastemaker.web import is_secure, pages, safe_next

api = APIRouter(prefix="/api/auth", tags=["auth"])
router = APIRouter(include_in_schema=False)

PROBLEM: dict[str, Any] = {"model": None, "content": {"application/problem+json": {}}}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def sign_in(
    request: Request, db: DbSession, username: str, password: str
) -> tuple[str, UserSession]:
    """Check the rate limit and the password, then open a session."""
    limiter = request.app.state.login_limiter
    client = client_address(request)
    wait = await limiter.retry_after(username, client)
    if wait is not None:
        raise RateLimited(
            f"Too many failed sign-ins. Try again in {wait} seconds.", retry_after=wait
        )
    try:
        user = await service.authenticate(db, username, password)
    except InvalidCredentials:
        # Optionally (NAVIDROME_SIGN_IN), a Navidrome account signs in too.
        linked = await navidrome_accounts.sign_in_with_navidrome(
            db, request.app.state.services, request.app.state.secret_box, username, password
        )
        if linked is None:
            await limiter.record_failure(username, client)
            raise
        user = linked
    await limiter.reset(username, client)
    return await service.start_session(
        db,
        user,
        request.app.state.session_policy,
        ip_address=client,
        user_agent=request.headers.get("user-agent"),
    )


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(request.app.state.session_policy.absolute.total_seconds()),
        path=request.app.state.settings.base_path or "/",
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=request.app.state.settings.base_path or "/")


# JSON API


@api.post(
    "/login",
    responses={401: PROBLEM, 422: PROBLEM, 429: PROBLEM},
    summary="Sign in; sets the session cookie and returns the CSRF token",
)
async def api_login(body: LoginIn, request: Request, response: Response, db: DbSession) -> LoginOut:
    token, user_session = await sign_in(request, db, body.username, body.password)
    set_session_cookie(request, response, token)
    return LoginOut(
        user=UserOut.model_validate(user_session.user), csrf_token=user_session.csrf_token
    )


@api.post("/logout", status_code=204, responses={401: PROBLEM, 403: PROBLEM})
async def api_logout(request: Request, principal: CurrentPrincipal, db: DbSession) -> Response:
    response = Response(status_code=204)
    if principal.session is not None:
        await service.end_session(db, principal.session)
        clear_session_cookie(request, response)
    return response


@api.get("/me", responses={401: PROBLEM})
async def api_me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(
        user=UserOut.model_validate(principal.user),
        auth="session" if principal.session else "token",
        csrf_token=principal.session.csrf_token if principal.session else None,
    )


# Pages


@router.get("/login")
async def login_page(
    request: Request, db: DbSession, principal: OptionalPrincipal, next: str = "/"
) -> Response:
    if principal is not None:
        return pages(request).redirect(request, safe_next(next))
    if await service.user_count(db) == 0:
        return pages(request).redirect(request, "/setup")
    return pages(request).render(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login", dependencies=[Depends(verify_anonymous_csrf)])
async def login_submit(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        token, _ = await sign_in(request, db, username, password)
    except (InvalidCredentials, RateLimited) as error:
        response = pages(request).render(
            request,
            "auth/login.html",
            {"next": safe_next(next), "username": username, "error": error.detail},
            status_code=error.status,
        )
        response.headers.update(error.headers())
        return response
    redirect = RedirectResponse(pages(request).url(safe_next(next)), status_code=303)
    set_session_cookie(request, redirect, token)
    return redirect


@router.post("/logout")
async def logout_submit(request: Request, principal: CurrentPrincipal, db: DbSession) -> Response:
    if principal.session is not None:
        await service.end_session(db, principal.session)
    response = pages(request).redirect(request, "/login", flash=("info", "You are signed out."))
    clear_session_cookie(request, response)
    return response


@router.get("/setup")
async def setup_page(request: Request, db: DbSession) -> Response:
    if await service.user_count(db) > 0:
        return pages(request).redirect(request, "/login")
    return pages(request).render(request, "auth/setup.html", {})


@router.post("/setup", dependencies=[Depends(verify_anonymous_csrf)])
async def setup_submit(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    password_confirm: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    if await service.user_count(db) > 0:
        raise PermissionDenied("Tastemaker is already set up: sign in instead")
    form = {"username": username, "display_name": display_name}
    try:
        if password != password_confirm:
            raise InvalidInput(
                "The two passwords differ",
                errors=[{"field": "password_confirm", "message": "Does not match the password"}],
            )
        user: User = await service.create_user(
            db, username, password, role=Role.ADMIN, display_name=display_name
        )
    except AppError as error:
        errors = {e["field"]: e["message"] for e in error.extra.get("errors", [])}
        return pages(request).render(
            request,
            "auth/setup.html",
            {"form": form, "error": error.detail, "errors": errors},
            status_code=error.status,
        )
    token, _ = await service.start_session(
        db,
        user,
        request.app.state.session_policy,
        ip_address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    response = pages(request).redirect(
        request, "/", flash=("success", f"Welcome, {user.name}! Tastemaker is ready.")
    )
    set_session_cookie(request, response, token)
    return response
