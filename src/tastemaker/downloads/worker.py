"""The downloads worker: one loop that sends queued requests to Lidarr, polls Lidarr
for the ones it has, and completes them once Navidrome lists them.

All state is in the database, so a restart (or a second instance on the same
database) picks up where things were: a request is claimed with a short lease
before it is sent, so two instances never send the same one at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.db import Database
from tastemaker.downloads import config, sending, service
from tastemaker.downloads.config import DownloadSettings
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.downloads.tracking import CompletionHook, Tracker
from tastemaker.encryption import SecretBox
from tastemaker.errors import (
    ServiceError,
    ServiceNotConfigured,
    ServiceNotFound,
    ServiceRejected,
)
from tastemaker.services.hub import ServiceHub
from tastemaker.worker_loop import WorkerLoop

log = logging.getLogger(__name__)
SEND_BATCH = 20


class DownloadWorker(WorkerLoop):
    """Started in the app's lifespan (``app.state.downloads``).

    ``tick_seconds``: how often it wakes on its own; ``poll_seconds``: how often it
    asks Lidarr about open requests (a webhook wakes it at once); retries of a
    request Lidarr could not take wait ``retry_base_seconds`` doubling up to
    ``retry_max_seconds``. ``on_completed`` runs once for each request that becomes
    ``completed`` (the discoveries playlist queues its songs there).
    """

    name = "downloads-worker"

    def __init__(
        self,
        db: Database,
        hub: ServiceHub,
        secret_box: SecretBox,
        *,
        tick_seconds: float = 1.0,
        poll_seconds: float = 5.0,
        retry_base_seconds: float = 5.0,
        retry_max_seconds: float = 300.0,
        lease_seconds: float = 60.0,
        on_library_changed: Callable[[], None] | None = None,
        on_completed: CompletionHook | None = None,
    ) -> None:
        super().__init__(tick_seconds)
        self.db = db
        self.hub = hub
        self.secret_box = secret_box
        self.poll_seconds = poll_seconds
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self.lease_seconds = lease_seconds
        self.on_library_changed = on_library_changed
        self.on_completed = on_completed
        self.tracker = Tracker(hub, on_library_changed, on_completed=on_completed)
        self._poll_now = False
        self._last_poll = 0.0
        self._claimed: set[int] = set()  # leased by this worker, not yet settled
        # Where a wake goes when this process does not run the worker (another does).
        self.wake_elsewhere: Callable[[bool], None] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        if not self.running:
            # A fresh start remembers nothing in memory.
            self.tracker = Tracker(
                self.hub, self.on_library_changed, on_completed=self.on_completed
            )
        super().start()

    async def release_leases(self) -> None:
        """Requests claimed but not yet sent go back to the queue, due at once."""
        if not self._claimed:
            return
        claimed, self._claimed = set(self._claimed), set()
        async with self.db.sessionmaker() as session:
            await session.execute(
                update(DownloadRequest)
                .where(
                    DownloadRequest.id.in_(claimed),
                    DownloadRequest.status == DownloadStatus.QUEUED,
                )
                .values(next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        log.info("downloads worker stopped; handed back %d claimed request(s)", len(claimed))

    def wake(self, *, poll: bool = False) -> None:
        """Run a cycle now (a new request, a webhook); ``poll`` asks Lidarr too."""
        if not self.running and self.wake_elsewhere is not None:
            self.wake_elsewhere(poll)  # the process that runs the worker
        self._poll_now = self._poll_now or poll
        super().wake()

    # -- one cycle -----------------------------------------------------------------------

    async def settings(self) -> DownloadSettings:
        async with self.db.sessionmaker() as session:
            return await config.load(session, self.secret_box)

    async def run_once(self) -> None:
        if not await self.hub.configured("lidarr"):
            return  # nothing can move; requests stay queued untouched
        settings = await self.settings()
        await self.send_due()
        await self.clean_up_cancelled()
        due = time.monotonic() - self._last_poll >= self.poll_seconds
        if due or self._poll_now:
            self._poll_now = False
            await self.poll(settings)
        async with self.db.sessionmaker() as session:
            await self.tracker.check_library(session, settings)

    async def poll(self, settings: DownloadSettings | None = None) -> int:
        """Ask Lidarr once about every open request; returns the Lidarr calls made."""
        settings = settings or await self.settings()
        self._last_poll = time.monotonic()
        async with self.db.sessionmaker() as session:
            try:
                return await self.tracker.poll(session, settings)
            except ServiceError as error:
                log.warning("downloads poll skipped: %s", error.detail)
                return 0

    async def send_due(self) -> None:
        moment = service.now()
        async with self.db.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(DownloadRequest.id)
                    .where(
                        DownloadRequest.status == DownloadStatus.QUEUED,
                        or_(
                            DownloadRequest.next_attempt_at.is_(None),
                            DownloadRequest.next_attempt_at <= moment,
                        ),
                    )
                    .order_by(DownloadRequest.created_at)
                    .limit(SEND_BATCH)
                )
            )
        for request_id in ids:
            await self._send_one(request_id)

    async def _claim(self, request_id: int) -> DownloadRequest | None:
        """Lease the request for a while; ``None`` if another instance has it."""
        moment = service.now()
        async with self.db.sessionmaker() as session:
            result = await session.execute(
                update(DownloadRequest)
                .where(
                    DownloadRequest.id == request_id,
                    DownloadRequest.status == DownloadStatus.QUEUED,
                    or_(
                        DownloadRequest.next_attempt_at.is_(None),
                        DownloadRequest.next_attempt_at <= moment,
                    ),
                )
                .values(next_attempt_at=moment + timedelta(seconds=self.lease_seconds))
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if not getattr(result, "rowcount", 0):
                return None
            return await session.get(DownloadRequest, request_id)

    async def _send_one(self, request_id: int) -> None:
        if await self._claim(request_id) is None:
            return
        self._claimed.add(request_id)
        try:
            await self._send_claimed(request_id)
        except Exception:
            self._claimed.discard(request_id)
            raise
        # Not on cancellation: a stop mid-send hands the lease back (``stop``).
        self._claimed.discard(request_id)

    async def _send_claimed(self, request_id: int) -> None:
        async with self.db.sessionmaker() as session:
            request = await session.get(DownloadRequest, request_id)
            if request is None:
                return
            if await service.attach_to_sibling(session, request):
                return
            try:
                await sending.send(session, self.hub, request)
            except sending.NotReady as waiting:
                await session.refresh(request)
                delay = sending.ALBUM_LIST_RETRY
                await self._reschedule(session, request, delay, str(waiting), quiet=True)
            except sending.Refused as refusal:
                await self._refused(session, request, str(refusal))
            except (ServiceRejected, ServiceNotFound) as error:
                await self._refused(session, request, error.detail)
            except ServiceError as error:
                if isinstance(error, ServiceNotConfigured):
                    self.hub.invalidate("lidarr")  # an admin may be choosing them right now
                await session.rollback()
                await session.refresh(request)
                attempts = request.attempts + 1
                delay = sending.retry_delay(
                    attempts, self.retry_base_seconds, self.retry_max_seconds
                )
                request.attempts = attempts
                message = f"{error.detail}. Trying again in {_seconds(delay)}."
                await self._reschedule(session, request, delay, message, error=error.detail)
            else:
                self.wake(poll=True)

    async def clean_up_cancelled(self) -> None:
        """Stop in Lidarr what was cancelled while Lidarr could not be reached."""
        moment = service.now()
        async with self.db.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(DownloadRequest.id)
                    .where(
                        DownloadRequest.status == DownloadStatus.CANCELLED,
                        DownloadRequest.lidarr_cleanup_pending.is_(True),
                        or_(
                            DownloadRequest.next_attempt_at.is_(None),
                            DownloadRequest.next_attempt_at <= moment,
                        ),
                    )
                    .order_by(DownloadRequest.updated_at)
                    .limit(SEND_BATCH)
                )
            )
        for request_id in ids:
            await self._clean_up_one(request_id)

    async def _clean_up_one(self, request_id: int) -> None:
        moment = service.now()
        pending = (
            DownloadRequest.id == request_id,
            DownloadRequest.status == DownloadStatus.CANCELLED,
            DownloadRequest.lidarr_cleanup_pending.is_(True),
        )
        async with self.db.sessionmaker() as session:
            claimed = await session.execute(  # a lease, as for sending
                update(DownloadRequest)
                .where(
                    *pending,
                    or_(
                        DownloadRequest.next_attempt_at.is_(None),
                        DownloadRequest.next_attempt_at <= moment,
                    ),
                )
                .values(next_attempt_at=moment + timedelta(seconds=self.lease_seconds))
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            request = await session.get(DownloadRequest, request_id)
            if not getattr(claimed, "rowcount", 0) or request is None:
                return
            if await service.others_follow(session, request):
                message = "Left running in Lidarr: another request still follows this download"
            else:
                try:
                    message = "Stopped in Lidarr: " + await service.stop_in_lidarr(
                        self.hub, request
                    )
                except (ServiceRejected, ServiceNotFound) as error:
                    message = f"Could not stop it in Lidarr: {error.detail}"
                except ServiceError as error:
                    log.info("clean-up of request %s waits for Lidarr: %s", request_id, error)
                    await session.execute(
                        update(DownloadRequest)
                        .where(*pending)
                        .values(
                            next_attempt_at=service.now()
                            + timedelta(seconds=self.retry_base_seconds)
                        )
                        .execution_options(synchronize_session=False)
                    )
                    await session.commit()
                    return
            done = await session.execute(
                update(DownloadRequest)
                .where(*pending)
                .values(lidarr_cleanup_pending=False, next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if getattr(done, "rowcount", 0):  # not requested again meanwhile
                await session.refresh(request)
                await service.note(session, request, message)

    async def _reschedule(
        self,
        session: AsyncSession,
        request: DownloadRequest,
        delay: timedelta,
        message: str,
        *,
        quiet: bool = False,
        error: str | None = None,
    ) -> None:
        request.next_attempt_at = service.now() + delay
        if error is not None:
            request.error = error
        if quiet:
            await session.commit()
        else:
            await service.note(session, request, message)

    async def _refused(self, session: AsyncSession, request: DownloadRequest, why: str) -> None:
        await session.rollback()
        await session.refresh(request)
        await service.move(
            session,
            request,
            DownloadStatus.FAILED,
            f"Lidarr refused it: {why}",
            allowed_from=[DownloadStatus.QUEUED],
            error=why,
        )


def _seconds(delay: timedelta) -> str:
    seconds = delay.total_seconds()
    return f"{seconds:g} s" if seconds < 120 else f"{seconds / 60:g} min"
