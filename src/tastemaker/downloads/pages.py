"""Downloads pages: the live queue, history, a request's timeline, approvals (admins),
Find music, and the request button that recommendation cards swap in.

The same service functions as the JSON API; with ``HX-Request`` the live parts
answer only their fragment.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from tastemaker.auth.deps import AdminUser, CurrentUser, DbSession
from tastemaker.auth.models import User
from tastemaker.downloads import config, service
from tastemaker.downloads.models import DownloadStatus
from tastemaker.downloads.router import (
    default_webhook_url,
    parse_statuses,
    register_webhook,
    worker,
)
from tastemaker.downloads.schemas import DownloadCreate, DownloadOut
from tastemaker.downloads.search import find_music
from tastemaker.errors import AppError, InvalidInput
from tastemaker.input_types import RowId
from tastemaker.services.deps import Services
from tastemaker.web import is_secure, pages, safe_next

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
OPEN = [
    DownloadStatus.PENDING_APPROVAL,
    DownloadStatus.QUEUED,
    DownloadStatus.SENT,
    DownloadStatus.SEARCHING,
    DownloadStatus.DOWNLOADING,
    DownloadStatus.IMPORTING,
]
FINISHED = [
    DownloadStatus.COMPLETED,
    DownloadStatus.FAILED,
    DownloadStatus.CANCELLED,
    DownloadStatus.REJECTED,
]
HISTORY_PAGE = 20
RECENT = timedelta(hours=24)


def _outs(rows: list[tuple[Any, str]]) -> list[DownloadOut]:
    return [DownloadOut.of(request, name) for request, name in rows]


async def _queue_context(db: DbSession, user: User, since: datetime | None) -> dict[str, Any]:
    open_rows, _ = await service.list_requests(db, user, statuses=OPEN, limit=200)
    done_rows, _ = await service.list_requests(db, user, statuses=FINISHED, limit=10)
    recent = [item for item in _outs(done_rows) if item.updated_at >= service.now() - RECENT]
    toasts = [
        item
        for item in recent
        if since is not None
        and item.status == DownloadStatus.COMPLETED
        and item.user_id == user.id
        and item.completed_at is not None
        and item.completed_at > since
    ]
    return {
        "open_items": _outs(open_rows),
        "recent_items": recent,
        "toasts": toasts,
        "since": service.now().isoformat(),
    }


def _since(request: Request) -> datetime | None:
    raw = request.query_params.get("since")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        return None


@router.get("/downloads")
async def queue_page(request: Request, user: CurrentUser, db: DbSession, hub: Services) -> Response:
    context = await _queue_context(db, user, None)
    context["lidarr_configured"] = await hub.configured("lidarr")
    return pages(request).render(request, "downloads/queue.html", context, nav="downloads")


TOASTS_COOKIE = "tastemaker_toasts_since"


@router.get("/downloads/toasts")
async def completion_toasts(request: Request, user: CurrentUser, db: DbSession) -> Response:
    """Toasts for the user's requests completed since the last check, on any page.

    The time of the last check rides in a cookie, so nothing is stored per user and
    every browser of the user gets its own toasts once.
    """
    try:
        since = datetime.fromisoformat(request.cookies.get(TOASTS_COOKIE, ""))
    except ValueError:
        since = None
    now = service.now()
    rows, _ = await service.list_requests(db, user, statuses=[DownloadStatus.COMPLETED], limit=10)
    toasts = [
        item
        for item in _outs(rows)
        if since is not None
        and item.user_id == user.id
        and item.completed_at is not None
        and item.completed_at > since
    ]
    response = pages(request).render(request, "downloads/_toasts.html", {"toasts": toasts})
    response.set_cookie(
        TOASTS_COOKIE,
        now.isoformat(),
        path=request.app.state.settings.base_path or "/",
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )
    return response


@router.get("/downloads/live")
async def queue_live(request: Request, user: CurrentUser, db: DbSession) -> Response:
    context = await _queue_context(db, user, _since(request))
    return pages(request).render(request, "downloads/_queue_live.html", context)


@router.get("/downloads/history")
async def history_page(request: Request, user: CurrentUser, db: DbSession) -> Response:
    params = request.query_params
    statuses = parse_statuses(params.getlist("status")) or FINISHED
    page = max(1, int(params.get("page", "1") or 1)) if params.get("page", "1").isdigit() else 1
    user_id = params.get("user")
    filter_user = int(user_id) if user_id and user_id.isdigit() and user.is_admin else None
    rows, total = await service.list_requests(
        db,
        user,
        statuses=statuses,
        user_id=filter_user,
        offset=(page - 1) * HISTORY_PAGE,
        limit=HISTORY_PAGE,
    )
    users: list[User] = []
    if user.is_admin:
        from sqlalchemy import select

        users = list(await db.scalars(select(User).order_by(User.username)))
    context = {
        "items": _outs(rows),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // HISTORY_PAGE)),
        "chosen_status": params.get("status", ""),
        "chosen_user": filter_user,
        "users": users,
        "finished": FINISHED,
    }
    return pages(request).render(request, "downloads/history.html", context, nav="downloads")


@router.get("/downloads/approvals")
async def approvals_page(request: Request, admin: AdminUser, db: DbSession) -> Response:
    rows, _ = await service.list_requests(
        db, admin, statuses=[DownloadStatus.PENDING_APPROVAL], limit=200, newest_first=False
    )
    settings = await config.load(db, request.app.state.secret_box)
    context = {
        "items": _outs(rows),
        "settings": settings,
        "webhook_url": default_webhook_url(request),
    }
    return pages(request).render(request, "downloads/approvals.html", context, nav="downloads")


@router.post("/downloads/settings")
async def save_settings(request: Request, admin: AdminUser, db: DbSession) -> Response:
    form = await request.form()
    try:
        limit = int(str(form.get("weekly_limit") or 0))
        timeout = float(str(form.get("search_timeout_minutes") or 30))
        library_timeout = float(str(form.get("library_timeout_minutes") or 30))
    except ValueError:
        raise InvalidInput("The limit and the timeouts must be numbers") from None
    await config.save(
        db,
        request.app.state.secret_box,
        user_id=admin.id,
        approval_required=form.get("approval_required") == "on",
        weekly_limit=limit,
        search_timeout_minutes=timeout,
        library_timeout_minutes=library_timeout,
    )
    return pages(request).redirect(
        request, "/downloads/approvals", flash=("success", "Download settings saved")
    )


@router.post("/downloads/webhook")
async def connect_webhook(
    request: Request, admin: AdminUser, db: DbSession, hub: Services
) -> Response:
    form = await request.form()
    url = str(form.get("url") or "").strip() or default_webhook_url(request)
    # The button lives on the approvals page and on Settings → Services.
    back = safe_next(str(form.get("next") or "/downloads/approvals"))
    try:
        await register_webhook(request, db, hub, admin.id, url)
    except AppError as error:
        return pages(request).redirect(
            request, back, flash=("error", f"Not connected: {error.detail}")
        )
    return pages(request).redirect(
        request,
        back,
        flash=("success", "Lidarr will now tell Tastemaker about downloads as they happen"),
    )


@router.get("/downloads/new")
async def find_music_page(
    request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    query = (request.query_params.get("q") or "").strip()[:200]
    context: dict[str, Any] = {"query": query, "results": None, "error": None}
    context["lidarr_configured"] = await hub.configured("lidarr")
    if query and context["lidarr_configured"]:
        try:
            context["results"] = await find_music(db, hub, user, query)
        except AppError as error:
            context["error"] = error.detail
    template = (
        "downloads/_results.html"
        if request.headers.get("HX-Target") == "results"
        else ("downloads/new.html")
    )
    return pages(request).render(request, template, context, nav="downloads")


@router.post("/downloads/request")
async def request_button(
    request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    """For ``hx-post`` from cards: returns the button that replaces the one clicked."""
    form = await request.form()
    recommendation = str(form.get("recommendation_id") or "")
    try:
        body = DownloadCreate(
            artist_mbid=str(form.get("artist_mbid") or ""),
            album_mbid=str(form.get("album_mbid") or "") or None,
            recommendation_id=int(recommendation) if recommendation.isdigit() else None,
        )
    except ValidationError:
        return _button(request, None, "That is not a MusicBrainz id", status_code=422)
    settings = await config.load(db, request.app.state.secret_box)
    try:
        download, _ = await service.create_request(db, hub, user, body, settings)
    except AppError as error:
        return _button(request, None, error.detail, status_code=200)
    worker(request).wake()
    return _button(request, DownloadOut.of(download, user.username), None)


def _button(
    request: Request, item: DownloadOut | None, error: str | None, status_code: int = 200
) -> HTMLResponse:
    return pages(request).render(
        request,
        "downloads/_request_button.html",
        {"item": item, "error": error},
        status_code=status_code,
    )


@router.get("/downloads/{download_id:int}")
async def detail_page(
    download_id: RowId, request: Request, user: CurrentUser, db: DbSession
) -> Response:
    download = await service.get_request(db, user, download_id)
    item = DownloadOut.of(download, await service.owner_name(db, download))
    context = {"item": item, "events": list(reversed(download.events))}
    template = (
        "downloads/_detail_live.html"
        if request.headers.get("HX-Target") == "download-live"
        else "downloads/detail.html"
    )
    return pages(request).render(request, template, context, nav="downloads")


@router.post("/downloads/{download_id:int}/{action}")
async def act(
    download_id: RowId,
    action: str,
    request: Request,
    user: CurrentUser,
    db: DbSession,
    hub: Services,
) -> Response:
    form = await request.form()
    back = str(form.get("next") or f"/downloads/{download_id}")
    if not back.startswith("/downloads"):
        back = f"/downloads/{download_id}"
    try:
        if action == "cancel":
            done = await service.cancel(db, hub, user, download_id)
            message = f"Cancelled {service.describe(done)}"
        elif action == "retry":
            done = await service.retry(db, user, download_id)
            message = f"Lidarr will search again for {service.describe(done)}"
        elif action in ("approve", "reject") and user.is_admin:
            if action == "approve":
                done = await service.approve(db, user, download_id)
                message = f"Approved {service.describe(done)}"
            else:
                reason = str(form.get("reason") or "")
                done = await service.reject(db, user, download_id, reason)
                message = f"Rejected {service.describe(done)}"
        else:
            raise InvalidInput(f"Unknown action “{action}”")
    except AppError as error:
        return pages(request).redirect(request, back, flash=("error", error.detail))
    worker(request).wake()
    return pages(request).redirect(request, back, flash=("success", message))
