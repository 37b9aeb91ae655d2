"""Download requests: creating them (one per user and thing), reading them, and the
user and admin actions on them (cancel, retry, approve, reject).

Knows no HTTP. A request is stored ``queued`` (or ``pending_approval``) before Lidarr
is ever called; the worker (``worker.py``) hands it to Lidarr. Every status change
goes through :func:`move`, which writes the timeline row and is safe when two app
instances (or the webhook and the poller) race for the same request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tastemaker.auth.models import User
from tastemaker.downloads.config import DownloadSettings
from tastemaker.downloads.models import (
    OPEN_STATUSES,
    DownloadEvent,
    DownloadRequest,
    DownloadStatus,
)
from tastemaker.downloads.schemas import DownloadCreate
from tastemaker.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    ServiceError,
    ServiceNotFound,
    ServiceRejected,
)
from tastemaker.recommendations.models import Recommendation, RecommendationState
from tastemaker.services.hub import ServiceHub

log = logging.getLogger(__name__)

# Handed to Lidarr: from here on the album is Lidarr's to find, and ours to follow.
IN_FLIGHT = frozenset(
    {
        DownloadStatus.SENT,
        DownloadStatus.SEARCHING,
        DownloadStatus.DOWNLOADING,
        DownloadStatus.IMPORTING,
    }
)
FINISHED = frozenset(
    {
        DownloadStatus.COMPLETED,
        DownloadStatus.FAILED,
        DownloadStatus.CANCELLED,
        DownloadStatus.REJECTED,
    }
)
UNKNOWN_ARTIST = "Unknown artist"
# Marks (in a failure's timeline data) a request Lidarr imported but Navidrome never
# listed: retrying it checks the library again instead of searching again.
NOT_LISTED = "not_listed"
STATUS_LABELS = {
    DownloadStatus.PENDING_APPROVAL: "Waiting for approval",
    DownloadStatus.QUEUED: "Queued",
    DownloadStatus.SENT: "Sent to Lidarr",
    DownloadStatus.SEARCHING: "Searching",
    DownloadStatus.DOWNLOADING: "Downloading",
    DownloadStatus.IMPORTING: "Importing",
    DownloadStatus.COMPLETED: "Ready to play",
    DownloadStatus.FAILED: "Failed",
    DownloadStatus.CANCELLED: "Cancelled",
    DownloadStatus.REJECTED: "Rejected",
}


class DownloadNotFound(NotFound):
    code = "download_not_found"
    title = "No such download request"


class DownloadStateConflict(Conflict):
    code = "download_state_conflict"
    title = "The request is not in a state that allows this"


class WeeklyLimitReached(AppError):
    status = 429
    code = "download_limit_reached"
    title = "Weekly request limit reached"


class MusicNotFound(NotFound):
    code = "music_not_found"
    title = "Lidarr does not know this music"


def now() -> datetime:
    return datetime.now(UTC)


def target_key(artist_mbid: str, album_mbid: str | None) -> str:
    return album_mbid if album_mbid else f"artist:{artist_mbid}"


def describe(request: DownloadRequest) -> str:
    if request.album_title:
        return f"“{request.album_title}” by {request.artist_name}"
    return request.artist_name


# -- the timeline ------------------------------------------------------------------------


def event(
    request: DownloadRequest, status: DownloadStatus, message: str, data: dict[str, Any] | None
) -> DownloadEvent:
    return DownloadEvent(request_id=request.id, status=status, message=message, data=data or {})


async def move(
    session: AsyncSession,
    request: DownloadRequest,
    status: DownloadStatus,
    message: str,
    *,
    allowed_from: Sequence[DownloadStatus] | None = None,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Change a request's status and write its timeline row, in one commit.

    A compare-and-set on the status it was read with (or any of ``allowed_from``):
    when another instance or the webhook moved it first, nothing is written and
    ``False`` comes back. ``request`` is refreshed either way.
    """
    sources = list(allowed_from) if allowed_from is not None else [request.status]
    moment = now()
    values: dict[str, Any] = {"status": status, "updated_at": moment, **fields}
    if status == DownloadStatus.COMPLETED:
        values.setdefault("completed_at", moment)
    result = await session.execute(
        update(DownloadRequest)
        .where(DownloadRequest.id == request.id, DownloadRequest.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = bool(getattr(result, "rowcount", 0))
    if changed:
        session.add(event(request, status, message, data))
    await session.commit()
    await session.refresh(request)
    return changed


async def note(
    session: AsyncSession, request: DownloadRequest, message: str, **fields: Any
) -> None:
    """A timeline row without a status change (retry scheduled, artist added…)."""
    for key, value in fields.items():
        setattr(request, key, value)
    session.add(event(request, request.status, message, None))
    await session.commit()
    await session.refresh(request)


# -- reading -----------------------------------------------------------------------------


def _visible_to(query: Any, user: User) -> Any:
    return query if user.is_admin else query.where(DownloadRequest.user_id == user.id)


async def list_requests(
    session: AsyncSession,
    user: User,
    *,
    statuses: Sequence[DownloadStatus] = (),
    user_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    newest_first: bool = True,
) -> tuple[list[tuple[DownloadRequest, str]], int]:
    query = _visible_to(
        select(DownloadRequest, User.username).join(User, User.id == DownloadRequest.user_id), user
    )
    if statuses:
        query = query.where(DownloadRequest.status.in_(list(statuses)))
    if user_id is not None and user.is_admin:
        query = query.where(DownloadRequest.user_id == user_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = DownloadRequest.created_at.desc() if newest_first else DownloadRequest.created_at
    rows = await session.execute(
        query.options(selectinload(DownloadRequest.events))
        .order_by(order, DownloadRequest.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [(request, username) for request, username in rows.all()], int(total)


async def get_request(session: AsyncSession, user: User, request_id: int) -> DownloadRequest:
    found: DownloadRequest | None = await session.scalar(
        _visible_to(select(DownloadRequest), user)
        .where(DownloadRequest.id == request_id)
        .options(selectinload(DownloadRequest.events))
    )
    if found is None:
        # Someone else's request is "not found", not "forbidden": ids reveal nothing.
        raise DownloadNotFound(f"There is no download request {request_id}")
    return found


async def owner_name(session: AsyncSession, request: DownloadRequest) -> str:
    return str(await session.scalar(select(User.username).where(User.id == request.user_id)))


async def requested_keys(session: AsyncSession, user: User) -> dict[str, DownloadRequest]:
    """The user's requests by target key (for marking search results)."""
    rows = await session.scalars(select(DownloadRequest).where(DownloadRequest.user_id == user.id))
    return {row.target_key: row for row in rows}


# -- requesting --------------------------------------------------------------------------


async def _names(
    session: AsyncSession, hub: ServiceHub, body: DownloadCreate
) -> tuple[str, str | None]:
    """The artist's name and album's title, from Lidarr's lookup when it answers.

    An unknown id is refused at once. When Lidarr is unreachable the request is
    still taken (and named later by the worker): nothing is lost.
    """
    try:
        lidarr = await hub.lidarr()
        if body.album_mbid:
            album = await lidarr.lookup_album_by_mbid(body.album_mbid)
            if album is None:
                raise MusicNotFound(
                    f"Lidarr's metadata server knows no album with MusicBrainz id {body.album_mbid}"
                )
            owner = album.artist.foreign_artist_id if album.artist else None
            if owner and owner != body.artist_mbid:
                raise InvalidInput(
                    f"“{album.title}” is not by the artist {body.artist_mbid}",
                    errors=[{"field": "album_mbid", "message": "belongs to another artist"}],
                )
            artist_name = album.artist.artist_name if album.artist else None
            return artist_name or UNKNOWN_ARTIST, album.title
        artist = await lidarr.lookup_artist_by_mbid(body.artist_mbid)
        if artist is None:
            raise MusicNotFound(
                f"Lidarr's metadata server knows no artist with MusicBrainz id {body.artist_mbid}"
            )
        return artist.artist_name or UNKNOWN_ARTIST, None
    except (ServiceNotFound, ServiceRejected):
        raise
    except ServiceError as error:
        log.info("lookup skipped, Lidarr unavailable: %s", error.detail)
    known = await session.scalar(
        select(Recommendation).where(Recommendation.artist_mbid == body.artist_mbid).limit(1)
    )
    title = None
    if body.album_mbid:
        title = await session.scalar(
            select(Recommendation.album_title).where(Recommendation.album_mbid == body.album_mbid)
        )
    return (known.artist_name if known else UNKNOWN_ARTIST), title


async def _existing(session: AsyncSession, user_id: int, key: str) -> DownloadRequest | None:
    return await session.scalar(
        select(DownloadRequest).where(
            DownloadRequest.user_id == user_id, DownloadRequest.target_key == key
        )
    )


async def _check_limit(session: AsyncSession, user: User, settings: DownloadSettings) -> None:
    if user.is_admin or settings.weekly_limit <= 0:
        return
    since = now() - timedelta(days=7)
    count = await session.scalar(
        select(func.count())
        .select_from(DownloadRequest)
        .where(
            DownloadRequest.user_id == user.id,
            DownloadRequest.created_at >= since,
            DownloadRequest.status != DownloadStatus.REJECTED,
        )
    )
    if (count or 0) >= settings.weekly_limit:
        raise WeeklyLimitReached(
            f"You can request {settings.weekly_limit} things a week; try again in a few days"
        )


async def _mark_recommendation(
    session: AsyncSession, user: User, recommendation_id: int | None
) -> int | None:
    if recommendation_id is None:
        return None
    found = await session.get(Recommendation, recommendation_id)
    if found is None or found.user_id != user.id:
        return None
    found.state = RecommendationState.REQUESTED
    return found.id


async def create_request(
    session: AsyncSession,
    hub: ServiceHub,
    user: User,
    body: DownloadCreate,
    settings: DownloadSettings,
) -> tuple[DownloadRequest, bool]:
    """The user's request for this thing: ``(request, True)`` if new, else the existing one."""
    key = target_key(body.artist_mbid, body.album_mbid)
    existing = await _existing(session, user.id, key)
    if existing is None:
        await _check_limit(session, user, settings)
        artist_name, album_title = await _names(session, hub, body)
        existing = await _existing(session, user.id, key)  # a twin may have won meanwhile
    if existing is not None:
        await _mark_recommendation(session, user, body.recommendation_id)
        await session.commit()
        if existing.status == DownloadStatus.CANCELLED:
            await move(
                session,
                existing,
                DownloadStatus.QUEUED,
                "Requested again",
                error=None,
                lidarr_cleanup_pending=False,  # sending it again monitors it again
                next_attempt_at=None,
            )
        return await get_request(session, user, existing.id), False

    approval = settings.approval_required and not user.is_admin
    request = DownloadRequest(
        user_id=user.id,
        kind="album" if body.album_mbid else "artist",
        target_key=key,
        artist_name=artist_name,
        artist_mbid=body.artist_mbid,
        album_title=album_title,
        album_mbid=body.album_mbid,
        status=DownloadStatus.PENDING_APPROVAL if approval else DownloadStatus.QUEUED,
    )
    session.add(request)
    try:
        await session.flush()
    except IntegrityError:
        # A double click: the other POST stored it first. Answer with that one.
        await session.rollback()
        await session.refresh(user)  # the rollback expired it
        twin = await _existing(session, user.id, key)
        if twin is None:
            raise
        return await get_request(session, user, twin.id), False
    request.recommendation_id = await _mark_recommendation(session, user, body.recommendation_id)
    message = f"Requested by {user.username}"
    if approval:
        message += "; waiting for an administrator to approve it"
    session.add(event(request, request.status, message, None))
    await session.commit()
    if not approval:
        await attach_to_sibling(session, request)
    return await get_request(session, user, request.id), True


async def attach_to_sibling(session: AsyncSession, request: DownloadRequest) -> bool:
    """Follow another user's request for the same thing, already in Lidarr's hands."""
    sibling = await session.scalar(
        select(DownloadRequest)
        .where(
            DownloadRequest.target_key == request.target_key,
            DownloadRequest.id != request.id,
            DownloadRequest.status.in_(list(IN_FLIGHT)),
            DownloadRequest.lidarr_artist_id.is_not(None),
        )
        .order_by(DownloadRequest.id)
        .limit(1)
    )
    if sibling is None:
        return False
    return await move(
        session,
        request,
        sibling.status,
        "Someone else already asked for this; following that download",
        allowed_from=[DownloadStatus.QUEUED],
        data={"joined": sibling.id},
        lidarr_artist_id=sibling.lidarr_artist_id,
        lidarr_album_id=sibling.lidarr_album_id,
        progress=sibling.progress,
        size_bytes=sibling.size_bytes,
        size_left_bytes=sibling.size_left_bytes,
        time_left_seconds=sibling.time_left_seconds,
        release_title=sibling.release_title,
        sent_at=sibling.sent_at,
        error=None,
    )


# -- actions -----------------------------------------------------------------------------


def _not_listed(request: DownloadRequest) -> bool:
    """Failed only because Navidrome never listed what Lidarr imported."""
    if request.status != DownloadStatus.FAILED:
        return False
    failure = next((e for e in reversed(request.events) if e.status == DownloadStatus.FAILED), None)
    return failure is not None and bool(failure.data.get(NOT_LISTED))


async def retry(session: AsyncSession, user: User, request_id: int) -> DownloadRequest:
    request = await get_request(session, user, request_id)
    if request.status not in (DownloadStatus.FAILED, DownloadStatus.CANCELLED):
        raise DownloadStateConflict("Only failed or cancelled requests can be retried")
    if _not_listed(request):
        # Lidarr has the files: look in the library again, with a fresh timeout.
        await move(
            session,
            request,
            DownloadStatus.IMPORTING,
            f"Retry asked by {user.username}; checking Navidrome's library again",
            error=None,
            progress=100.0,
            imported_at=now(),
        )
        return await get_request(session, user, request_id)
    await move(
        session,
        request,
        DownloadStatus.QUEUED,
        f"Retry asked by {user.username}; Lidarr will search again",
        error=None,
        progress=0.0,
        attempts=0,
        next_attempt_at=None,
        size_left_bytes=None,
        time_left_seconds=None,
        imported_at=None,
        lidarr_cleanup_pending=False,
    )
    return await get_request(session, user, request_id)


async def approve(session: AsyncSession, admin: User, request_id: int) -> DownloadRequest:
    request = await get_request(session, admin, request_id)
    if request.status != DownloadStatus.PENDING_APPROVAL:
        raise DownloadStateConflict("This request is not waiting for approval")
    await move(
        session,
        request,
        DownloadStatus.QUEUED,
        f"Approved by {admin.username}",
        decided_by_id=admin.id,
    )
    await attach_to_sibling(session, request)
    return await get_request(session, admin, request_id)


async def reject(
    session: AsyncSession, admin: User, request_id: int, reason: str
) -> DownloadRequest:
    request = await get_request(session, admin, request_id)
    if request.status != DownloadStatus.PENDING_APPROVAL:
        raise DownloadStateConflict("This request is not waiting for approval")
    reason = reason.strip()
    await move(
        session,
        request,
        DownloadStatus.REJECTED,
        f"Rejected by {admin.username}" + (f": {reason}" if reason else ""),
        decided_by_id=admin.id,
        rejection_reason=reason or None,
        error=f"Rejected: {reason}" if reason else "Rejected by an administrator",
    )
    return await get_request(session, admin, request_id)


async def cancel(
    session: AsyncSession, hub: ServiceHub, user: User, request_id: int
) -> DownloadRequest:
    """Stop it: unmonitor the album in Lidarr and drop its queue items (unless
    another user still follows the same download).

    The cancel is recorded at once even when Lidarr cannot be reached: the clean-up
    in Lidarr is then left to the worker (``lidarr_cleanup_pending``), which does it
    once Lidarr answers again.
    """
    request = await get_request(session, user, request_id)
    if request.status not in OPEN_STATUSES:
        raise DownloadStateConflict("Only open requests can be cancelled")
    message = f"Cancelled by {user.username}"
    pending = False
    if request.status in IN_FLIGHT and not await others_follow(session, request):
        try:
            done = await stop_in_lidarr(hub, request)
        except ServiceError as error:
            pending = True
            message += (
                f". {error.detail}; Tastemaker will stop the download there "
                "as soon as Lidarr answers"
            )
        else:
            message += f"; in Lidarr {done}"
    await move(
        session,
        request,
        DownloadStatus.CANCELLED,
        message,
        allowed_from=list(OPEN_STATUSES),
        data={"lidarr_cleanup_pending": True} if pending else None,
        progress=0.0,
        lidarr_cleanup_pending=pending,
        next_attempt_at=None,
    )
    return await get_request(session, user, request_id)


async def stop_in_lidarr(hub: ServiceHub, request: DownloadRequest) -> str:
    """Unmonitor the request's album (or artist's albums) and remove its queue items.

    Safe to repeat. Returns what was done, in words; raises a ServiceError when
    Lidarr cannot be reached or refuses.
    """
    lidarr = await hub.lidarr()
    queue = await lidarr.queue(page_size=1000, include_artist=False, include_album=False)
    if request.kind == "album" and request.lidarr_album_id:
        await lidarr.set_albums_monitored([request.lidarr_album_id], False)
        items = [q for q in queue.records if q.album_id == request.lidarr_album_id]
        done = "the album is no longer monitored"
    else:
        albums = await lidarr.albums(artist_id=request.lidarr_artist_id)
        monitored = [a.id for a in albums if a.monitored]
        if monitored:
            await lidarr.set_albums_monitored(monitored, False)
        items = [q for q in queue.records if q.artist_id == request.lidarr_artist_id]
        done = "the artist's albums are no longer monitored"
    for item in items:
        await lidarr.delete_queue_item(item.id, remove_from_client=True)
    if items:
        done += f" and {len(items)} download{'s' if len(items) != 1 else ''} removed"
    return done


async def others_follow(session: AsyncSession, request: DownloadRequest) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(DownloadRequest)
        .where(
            DownloadRequest.target_key == request.target_key,
            DownloadRequest.id != request.id,
            DownloadRequest.status.in_(list(IN_FLIGHT)),
        )
    )
    return bool(count)


def open_filter() -> Any:
    return or_(*(DownloadRequest.status == s for s in OPEN_STATUSES))
