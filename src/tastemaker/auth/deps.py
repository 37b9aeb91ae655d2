"""FastAPI dependencies for who is asking: the session cookie or a Bearer API token.

Cookie-authenticated unsafe requests must carry the session's CSRF token, in the
``X-CSRF-Token`` header (HTMX and scripts) or a ``csrf_token`` form field (forms).
Bearer-token requests need none: a browser never attaches them on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth import security
from tastemaker.auth.models import User
from tastemaker.auth.principal_cache import Principal, PrincipalCache
from tastemaker.errors import CsrfFailed, NotAuthenticated, PermissionDenied
from tastemaker.preferences.models import UserPreferences
from tastemaker.web import ANON_CSRF_COOKIE

SESSION_COOKIE = "tastemaker_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Declared for the OpenAPI document; the checks themselves are below.
_bearer = HTTPBearer(auto_error=False, description="A personal API token (Profile → API tokens)")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Browser session")


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.sessionmaker() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(db_session)]


def _is_api(request: Request) -> bool:
    route = request.scope.get("route")
    return str(getattr(route, "path", "")).startswith("/api/")


async def optional_principal(
    request: Request,
    db: DbSession,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal | None:
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    principals: PrincipalCache = request.app.state.principals
    if bearer is not None:
        principal = await principals.for_api_token(db, bearer.credentials)
        if principal is None:
            raise NotAuthenticated("The API token is not valid (revoked, or mistyped)")
    elif cookie:
        principal = await principals.for_session(db, cookie)
    request.state.principal = principal
    if principal is not None and not _is_api(request):
        # Only pages show the theme: the JSON API spares every call this query.
        prefs = await db.get(UserPreferences, principal.user.id)
        request.state.theme = prefs.theme if prefs else "system"
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def _submitted_csrf_token(request: Request) -> str | None:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def require_principal(request: Request, principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    if principal.session is not None and request.method not in SAFE_METHODS:
        given = await _submitted_csrf_token(request)
        if not security.tokens_match(given, principal.session.csrf_token):
            raise CsrfFailed()
    return principal


async def verify_anonymous_csrf(request: Request) -> None:
    """For signed-out forms (sign in, set-up): the form must echo the CSRF cookie."""
    cookie = request.cookies.get(ANON_CSRF_COOKIE)
    given = await _submitted_csrf_token(request)
    if not cookie or not security.tokens_match(given, cookie):
        raise CsrfFailed()


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


async def current_user(principal: CurrentPrincipal) -> User:
    return principal.user


CurrentUser = Annotated[User, Depends(current_user)]


async def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise PermissionDenied("Only administrators can do this")
    return user


AdminUser = Annotated[User, Depends(admin_user)]
