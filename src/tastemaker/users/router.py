"""Pages: the profile (name, password, API tokens, sessions, theme) and admin user management."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from tastemaker.auth import service as auth_service
from tastemaker.auth.deps import AdminUser, CurrentPrincipal, DbSession
from tastemaker.auth.models import Role
from tastemaker.errors import AppError, InvalidInput
from tastemaker.input_types import RowId
from tastemaker.library.deps import library_cache
from tastemaker.preferences.models import UserPreferences
from tastemaker.services.deps import Services
from tastemaker.sources import service as sources_service
from tastemaker.users import navidrome, service
from tastemaker.web import pages, safe_next

router = APIRouter(include_in_schema=False)

THEMES = ("light", "dark", "system")


@router.get("/settings")
async def settings_index(request: Request, principal: CurrentPrincipal) -> Response:
    return pages(request).redirect(request, "/settings/profile")


async def _render_profile(
    request: Request,
    principal: CurrentPrincipal,
    db: DbSession,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    user = principal.user
    context = {
        "user": user,
        "tokens": await auth_service.list_api_tokens(db, user),
        "sessions": await auth_service.list_sessions(db, user),
        "current_session_id": principal.session.id if principal.session else None,
        "age": auth_service.describe_age,
        "navidrome_linked": bool(user.navidrome_username and user.navidrome_password_encrypted),
        "listening_sources": await sources_service.profile_views(
            db, request.app.state.services, user
        ),
        **(extra or {}),
    }
    return pages(request).render(
        request, "users/profile.html", context, nav="settings", status_code=status_code
    )


@router.get("/settings/profile")
async def profile_page(request: Request, principal: CurrentPrincipal, db: DbSession) -> Response:
    return await _render_profile(request, principal, db)


@router.post("/settings/profile")
async def profile_update(
    request: Request,
    principal: CurrentPrincipal,
    db: DbSession,
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    await auth_service.display_name_update(db, principal.user, display_name)
    return pages(request).redirect(
        request, "/settings/profile", flash=("success", "Profile saved.")
    )


@router.post("/settings/profile/password")
async def password_change(
    request: Request,
    principal: CurrentPrincipal,
    db: DbSession,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    new_password_confirm: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        if new_password != new_password_confirm:
            raise InvalidInput(
                "The two new passwords differ",
                errors=[{"field": "new_password_confirm", "message": "Does not match"}],
            )
        await auth_service.change_password(
            db,
            principal.user,
            current_password,
            new_password,
            keep_session_id=principal.session.id if principal.session else None,
        )
    except AppError as error:
        errors = {e["field"]: e["message"] for e in error.extra.get("errors", [])}
        return await _render_profile(
            request,
            principal,
            db,
            {"password_error": error.detail, "password_errors": errors},
            status_code=error.status,
        )
    return pages(request).redirect(
        request,
        "/settings/profile",
        flash=("success", "Password changed. Your other sessions were signed out."),
    )


@router.post("/settings/profile/navidrome")
async def navidrome_link(
    request: Request,
    principal: CurrentPrincipal,
    db: DbSession,
    hub: Services,
    navidrome_username: Annotated[str, Form(max_length=128)] = "",
    navidrome_password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        await navidrome.link_account(
            db,
            hub,
            request.app.state.secret_box,
            principal.user,
            navidrome_username,
            navidrome_password,
        )
    except AppError as error:
        return await _render_profile(
            request,
            principal,
            db,
            {"navidrome_error": error.detail, "navidrome_username_value": navidrome_username},
            status_code=error.status if error.status < 500 else 422,
        )
    library_cache(request.app).invalidate(principal.user.id)
    return pages(request).redirect(
        request,
        "/settings/profile#navidrome",
        flash=("success", "Navidrome account linked: your stars and plays are now your own."),
    )


@router.post("/settings/profile/navidrome/unlink")
async def navidrome_unlink(
    request: Request, principal: CurrentPrincipal, db: DbSession
) -> Response:
    await navidrome.unlink_account(db, principal.user)
    library_cache(request.app).invalidate(principal.user.id)
    return pages(request).redirect(
        request, "/settings/profile#navidrome", flash=("success", "Navidrome account unlinked.")
    )


@router.post("/settings/profile/tokens")
async def token_create(
    request: Request,
    principal: CurrentPrincipal,
    db: DbSession,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    try:
        plaintext, token = await auth_service.create_api_token(db, principal.user, name)
    except AppError as error:
        return await _render_profile(
            request, principal, db, {"token_error": error.detail}, status_code=error.status
        )
    # Rendered, not redirected: the token is shown this once and never stored in clear.
    return await _render_profile(
        request, principal, db, {"new_token": plaintext, "new_token_name": token.name}
    )


@router.post("/settings/profile/tokens/{token_id}/revoke")
async def token_revoke(
    request: Request, token_id: RowId, principal: CurrentPrincipal, db: DbSession
) -> Response:
    await auth_service.revoke_api_token(db, principal.user, token_id)
    return pages(request).redirect(
        request, "/settings/profile", flash=("success", "Token revoked.")
    )


@router.post("/settings/profile/sessions/{session_id}/end")
async def session_end(
    request: Request, session_id: RowId, principal: CurrentPrincipal, db: DbSession
) -> Response:
    await auth_service.end_sessions(db, principal.user, only_id=session_id)
    return pages(request).redirect(
        request, "/settings/profile", flash=("success", "Session ended.")
    )


@router.post("/settings/profile/sessions/end-others")
async def sessions_end_others(
    request: Request, principal: CurrentPrincipal, db: DbSession
) -> Response:
    keep = principal.session.id if principal.session else None
    ended = await auth_service.end_sessions(db, principal.user, except_id=keep)
    message = f"Signed out {ended} other session{'s' if ended != 1 else ''}."
    return pages(request).redirect(request, "/settings/profile", flash=("success", message))


@router.post("/settings/theme")
async def theme_set(
    request: Request,
    principal: CurrentPrincipal,
    db: DbSession,
    theme: Annotated[str, Form(max_length=8)] = "system",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if theme not in THEMES:
        raise InvalidInput("Theme is light, dark or system")
    prefs = await db.get(UserPreferences, principal.user.id)
    if prefs is None:
        prefs = UserPreferences(user_id=principal.user.id)
        db.add(prefs)
    prefs.theme = theme
    await db.commit()
    return pages(request).redirect(request, safe_next(next))


# Admin: users


@router.get("/settings/users")
async def users_page(request: Request, admin: AdminUser, db: DbSession) -> Response:
    context = {"users": await service.list_users(db), "age": auth_service.describe_age}
    return pages(request).render(request, "users/admin.html", context, nav="users")


@router.post("/settings/users")
async def user_create(
    request: Request,
    admin: AdminUser,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    role: Annotated[Role, Form()] = Role.USER,
) -> Response:
    try:
        user = await auth_service.create_user(
            db, username, password, role=role, display_name=display_name
        )
    except AppError as error:
        return pages(request).redirect(request, "/settings/users", flash=("error", error.detail))
    return pages(request).redirect(
        request, "/settings/users", flash=("success", f"Created {user.username}.")
    )


@router.post("/settings/users/{user_id}/role")
async def user_role(
    request: Request, user_id: RowId, admin: AdminUser, db: DbSession, role: Annotated[Role, Form()]
) -> Response:
    return await _admin_action(
        request, service.set_role(db, user_id, role), f"Role changed to {role.value}."
    )


@router.post("/settings/users/{user_id}/active")
async def user_active(
    request: Request,
    user_id: RowId,
    admin: AdminUser,
    db: DbSession,
    active: Annotated[bool, Form()],
) -> Response:
    message = "User enabled." if active else "User disabled and signed out everywhere."
    return await _admin_action(request, service.set_active(db, user_id, active), message)


@router.post("/settings/users/{user_id}/password")
async def user_password(
    request: Request,
    user_id: RowId,
    admin: AdminUser,
    db: DbSession,
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    return await _admin_action(
        request,
        service.reset_password(db, user_id, password),
        "Password reset; the user was signed out everywhere.",
    )


async def _admin_action(request: Request, action: Any, message: str) -> Response:
    try:
        await action
    except AppError as error:
        if error.status == 404:
            raise
        return pages(request).redirect(request, "/settings/users", flash=("error", error.detail))
    return pages(request).redirect(request, "/settings/users", flash=("success", message))
