"""Downloads over JSON: the request queue and its lifecycle, the admin settings, and
Lidarr's webhook. Thin: the work is in ``service.py``, ``worker.py`` and ``tracking.py``.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from tastemaker.auth.deps import AdminUser, CurrentUser, DbSession
from tastemaker.downloads import config, service
from tastemaker.downloads.models import DownloadStatus
from tastemaker.downloads.schemas import (
    DownloadCreate,
    DownloadDetail,
    DownloadList,
    DownloadOut,
    DownloadSettingsIn,
    DownloadSettingsOut,
    EventOut,
    RejectIn,
)
from tastemaker.downloads.worker import DownloadWorker
from tastemaker.errors import InvalidInput, NotAuthenticated
from tastemaker.input_types import Offset, RowId
from tastemaker.services.deps import Services
from tastemaker.services.hub import ServiceHub

api = APIRouter(prefix="/api/downloads", tags=["downloads"])
webhooks = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
PROBLEM: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/problem+json": {}}}
    for status in (401, 403, 404, 409, 422, 429, 502, 503, 504)
}
SECRET_HEADER = "X-Tastemaker-Secret"  # noqa: S105  # a header name, not a secret
WEBHOOK_NAME = "Tastemaker"


def worker(request: Request) -> DownloadWorker:
    found: DownloadWorker = request.app.state.downloads
    return found


def detail(download: Any, username: str | None = None) -> DownloadDetail:
    out = DownloadOut.of(download, username)
    return DownloadDetail(**out.model_dump(), events=[EventOut.of(e) for e in download.events])


async def _settings(request: Request, db: DbSession) -> config.DownloadSettings:
    return await config.load(db, request.app.state.secret_box)


_STATUS = "|".join(s.value for s in DownloadStatus)
# One status, or several separated by commas (empty parts after the first are skipped).
STATUSES_PATTERN = f"^(?:{_STATUS})(?:,(?:{_STATUS})?)*$"


def parse_statuses(raw: list[str] | None) -> list[DownloadStatus]:
    statuses: list[DownloadStatus] = []
    for value in raw or []:
        for part in value.split(","):
            if not part:
                continue
            try:
                statuses.append(DownloadStatus(part))
            except ValueError:
                names = ", ".join(s.value for s in DownloadStatus)
                raise InvalidInput(
                    f"Unknown status “{part}”; use one of {names}",
                    errors=[{"field": "status", "message": "unknown status"}],
                ) from None
    return statuses


@api.get("", responses=PROBLEM, summary="Download requests (yours; everyone's for admins)")
async def list_downloads(
    user: CurrentUser,
    db: DbSession,
    status: Annotated[
        list[Annotated[str, StringConstraints(pattern=STATUSES_PATTERN)]] | None,
        Query(description="Only these statuses (repeat or comma-separate)"),
    ] = None,
    user_id: Annotated[RowId | None, Query(description="Admins: one user's requests")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DownloadList:
    rows, total = await service.list_requests(
        db, user, statuses=parse_statuses(status), user_id=user_id, offset=offset, limit=limit
    )
    return DownloadList(
        items=[DownloadOut.of(r, name) for r, name in rows], total=total, offset=offset, limit=limit
    )


@api.post(
    "",
    status_code=201,
    responses={**PROBLEM, 200: {"model": DownloadDetail, "description": "Already requested"}},
    summary="Request an album (artist_mbid + album_mbid) or a whole artist (artist_mbid)",
)
async def create_download(
    body: DownloadCreate, request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    settings = await _settings(request, db)
    download, created = await service.create_request(db, hub, user, body, settings)
    worker(request).wake()
    payload = detail(download, user.username).model_dump(mode="json")
    return JSONResponse(payload, status_code=201 if created else 200)


@api.get("/settings", responses=PROBLEM, summary="Admins: approval, weekly limit, timeouts")
async def get_settings(request: Request, admin: AdminUser, db: DbSession) -> DownloadSettingsOut:
    return _settings_out(await _settings(request, db))


@api.put("/settings", responses=PROBLEM, summary="Admins: change the download settings")
async def put_settings(
    body: DownloadSettingsIn, request: Request, admin: AdminUser, db: DbSession
) -> DownloadSettingsOut:
    saved = await config.save(
        db,
        request.app.state.secret_box,
        user_id=admin.id,
        approval_required=body.approval_required,
        weekly_limit=body.weekly_limit,
        search_timeout_minutes=body.search_timeout_minutes,
        library_timeout_minutes=body.library_timeout_minutes,
    )
    return _settings_out(saved)


def _settings_out(settings: config.DownloadSettings) -> DownloadSettingsOut:
    return DownloadSettingsOut(
        approval_required=settings.approval_required,
        weekly_limit=settings.weekly_limit,
        search_timeout_minutes=settings.search_timeout_minutes,
        library_timeout_minutes=settings.library_timeout_minutes,
        webhook_registered=settings.webhook_id is not None,
    )


@api.post(
    "/webhook",
    responses=PROBLEM,
    summary="Admins: register Tastemaker as a Webhook connection in Lidarr",
)
async def register_webhook_api(
    request: Request,
    admin: AdminUser,
    db: DbSession,
    hub: Services,
    url: Annotated[
        str | None,
        Body(embed=True, description="Tastemaker's address as Lidarr can reach it"),
    ] = None,
) -> DownloadSettingsOut:
    target = url or default_webhook_url(request)
    return _settings_out(await register_webhook(request, db, hub, admin.id, target))


def default_webhook_url(request: Request) -> str:
    return str(request.url_for("lidarr_webhook"))


async def register_webhook(
    request: Request, db: DbSession, hub: ServiceHub, user_id: int, url: str
) -> config.DownloadSettings:
    """Tell Lidarr to send its download events here, with a fresh shared secret."""
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(
            "The address must start with http:// or https://",
            errors=[{"field": "url", "message": "not an http(s) address"}],
        )
    box = request.app.state.secret_box
    current = await config.load(db, box)
    secret = config.new_webhook_secret()
    lidarr = await hub.lidarr()
    headers = {SECRET_HEADER: secret}
    # Lidarr delivers a Test event first; it fails here if it cannot reach the URL.
    pending = await config.save(db, box, user_id=user_id, webhook_secret=secret)
    try:
        await lidarr.test_webhook(WEBHOOK_NAME, url, headers=headers)
    except Exception:
        await config.save(db, box, user_id=user_id, webhook_secret=current.webhook_secret)
        raise
    for existing in await lidarr.notifications():
        if existing.id == pending.webhook_id or existing.name == WEBHOOK_NAME:
            await lidarr.delete_notification(existing.id)
    created = await lidarr.add_webhook(WEBHOOK_NAME, url, headers=headers)
    return await config.save(db, box, user_id=user_id, webhook_id=created.id)


@api.get("/{download_id:int}", responses=PROBLEM, summary="One request with its timeline")
async def get_download(download_id: RowId, user: CurrentUser, db: DbSession) -> DownloadDetail:
    download = await service.get_request(db, user, download_id)
    return detail(download, await service.owner_name(db, download))


@api.post("/{download_id:int}/cancel", responses=PROBLEM, summary="Stop it (in Lidarr too)")
async def cancel_download(
    download_id: RowId, request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> DownloadDetail:
    download = await service.cancel(db, hub, user, download_id)
    return detail(download, await service.owner_name(db, download))


@api.post("/{download_id:int}/retry", responses=PROBLEM, summary="Search again after a failure")
async def retry_download(
    download_id: RowId, request: Request, user: CurrentUser, db: DbSession
) -> DownloadDetail:
    download = await service.retry(db, user, download_id)
    worker(request).wake()
    return detail(download, await service.owner_name(db, download))


@api.post("/{download_id:int}/approve", responses=PROBLEM, summary="Admins: let it go to Lidarr")
async def approve_download(
    download_id: RowId, request: Request, admin: AdminUser, db: DbSession
) -> DownloadDetail:
    download = await service.approve(db, admin, download_id)
    worker(request).wake()
    return detail(download, await service.owner_name(db, download))


@api.post(
    "/{download_id:int}/reject", responses=PROBLEM, summary="Admins: refuse it, with a reason"
)
async def reject_download(
    download_id: RowId, admin: AdminUser, db: DbSession, body: RejectIn | None = None
) -> DownloadDetail:
    download = await service.reject(db, admin, download_id, body.reason if body else "")
    return detail(download, await service.owner_name(db, download))


@webhooks.post(
    "/lidarr",
    name="lidarr_webhook",
    status_code=204,
    summary="Lidarr's Webhook connection (shared secret in X-Tastemaker-Secret or ?secret=)",
    responses={401: {"content": {"application/problem+json": {}}}},
)
async def lidarr_webhook(
    request: Request,
    db: DbSession,
    payload: Annotated[dict[str, Any], Body()],
    secret: Annotated[str | None, Query()] = None,
) -> Response:
    settings = await _settings(request, db)
    given = request.headers.get(SECRET_HEADER) or secret or ""
    if not settings.webhook_secret or not hmac.compare_digest(
        given.encode(), settings.webhook_secret.encode()
    ):
        raise NotAuthenticated("The webhook secret is missing or wrong; register the webhook again")
    running = worker(request)
    poll = await running.tracker.webhook(db, payload)
    running.wake(poll=poll)
    return Response(status_code=204)
