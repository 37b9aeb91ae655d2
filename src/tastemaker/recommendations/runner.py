"""Runs in the background: one asyncio task per run, one run at a time per user.

``RunManager`` lives on ``app.state.recommendations``. Pages, the API, the CLI and
the scheduler all start runs through :meth:`RunManager.start`, which stores the run
as ``running`` before anything else, so a crash or restart leaves a trace. A run
executes in the process that started it, which stamps ``heartbeat_at`` every few
seconds while it works; several processes may share the database, so a run is only
known to be orphaned when its heartbeat stops. :meth:`RunManager.mark_interrupted`
(called by the process that runs the background work, see ``background.py``) turns
such leftovers into failed runs that say so, and the user can run again.

``RunScheduler`` wakes up every few minutes and starts a run for each user whose
preferences ask for a daily or weekly refresh and whose last run is older than that.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update

from tastemaker.auth.models import User
from tastemaker.db import Database, utcnow
from tastemaker.errors import AppError
from tastemaker.preferences.models import UserPreferences
from tastemaker.preferences.service import get_preferences
from tastemaker.services.hub import ServiceHub
from tastemaker.sources.service import listening_for_run
from tastemaker.tasks import cancel_and_wait
from tastemaker.worker_loop import WorkerLoop

from .models import RecommendationRun, RunStatus
from .pipeline import Pipeline
from .profile import ProfileCache

log = logging.getLogger(__name__)
INTERRUPTED = "Interrupted: Tastemaker restarted while this run was working — run it again"
STOPPED = "Interrupted: Tastemaker was stopped while this run was working — run it again"
SCHEDULE_INTERVAL_SECONDS = 300.0
# A working run stamps its heartbeat this often; one silent for STALE_AFTER is orphaned
# (its process died). Several missed beats, so a busy event loop is not mistaken for death.
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=30)
SCHEDULE_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def _temperature(values: dict[str, str]) -> float | None:
    try:
        return float(values["temperature"]) if values.get("temperature") else None
    except ValueError:
        return None


class RunManager:
    def __init__(self, db: Database, hub: ServiceHub, profiles: ProfileCache | None = None) -> None:
        self.db = db
        self.hub = hub
        self.profiles = profiles or ProfileCache()
        self._tasks: dict[int, asyncio.Task[None]] = {}  # user id → its running run
        self._run_ids: dict[int, int] = {}
        self._start_lock = asyncio.Lock()
        self.listeners: list[Callable[[int], None]] = []

    async def mark_interrupted(self, stale_after: timedelta | None = None) -> int:
        """Fail the runs a dead process left ``running``; returns how many.

        With ``stale_after``, only runs whose heartbeat is older than that (another
        live process may be working on the others); without it, every running run
        this manager is not working on itself (one process alone on its database).
        """
        conditions: list[ColumnElement[bool]] = [RecommendationRun.status == RunStatus.RUNNING]
        if stale_after is not None:
            conditions.append(_last_beat() < utcnow() - stale_after)
        mine = [run_id for user_id, run_id in self._run_ids.items() if self.running_run_id(user_id)]
        if mine:
            conditions.append(RecommendationRun.id.not_in(mine))
        async with self.db.sessionmaker() as db:
            result = await db.execute(
                update(RecommendationRun)
                .where(*conditions)
                .values(
                    status=RunStatus.FAILED,
                    error=INTERRUPTED,
                    error_code="interrupted",
                    finished_at=utcnow(),
                )
            )
            await db.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def running_run_id(self, user_id: int) -> int | None:
        task = self._tasks.get(user_id)
        return self._run_ids.get(user_id) if task is not None and not task.done() else None

    async def start(self, user_id: int, trigger: str = "manual") -> tuple[int, bool]:
        """Start a run for the user; ``(run id, True)``, or the running one's ``(id, False)``."""
        async with self._start_lock:
            current = self.running_run_id(user_id)
            if current is not None:
                return current, False
            values = await self.hub.values("ollama")
            async with self.db.sessionmaker() as db:
                # Another process sharing the database may be running one for this user.
                elsewhere = await db.scalar(
                    select(RecommendationRun.id)
                    .where(
                        RecommendationRun.user_id == user_id,
                        RecommendationRun.status == RunStatus.RUNNING,
                        _last_beat() >= utcnow() - STALE_AFTER,
                    )
                    .order_by(RecommendationRun.id.desc())
                    .limit(1)
                )
                if elsewhere is not None:
                    return elsewhere, False
                run = RecommendationRun(
                    user_id=user_id,
                    status=RunStatus.RUNNING,
                    trigger=trigger,
                    model=values.get("model", ""),
                    filtered_reasons={},
                    heartbeat_at=utcnow(),
                )
                db.add(run)
                await db.commit()
                run_id = run.id
            self._run_ids[user_id] = run_id
            self._tasks[user_id] = asyncio.create_task(
                self._execute(run_id, user_id), name=f"recommendation-run-{run_id}"
            )
            return run_id, True

    async def wait(self, user_id: int) -> None:
        """Until the user's current run (if any) has finished — for the CLI and tests."""
        task = self._tasks.get(user_id)
        if task is not None:
            await asyncio.shield(task)

    async def _beat(self, run_id: int) -> None:
        """Stamp the run's heartbeat until cancelled (when the run ends)."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                async with self.db.sessionmaker() as db:
                    await db.execute(
                        update(RecommendationRun)
                        .where(
                            RecommendationRun.id == run_id,
                            RecommendationRun.status == RunStatus.RUNNING,
                        )
                        .values(heartbeat_at=utcnow())
                    )
                    await db.commit()
            except Exception:  # a missed beat is retried; the run itself goes on
                log.warning("recommendation run %s: heartbeat failed", run_id, exc_info=True)

    async def _execute(self, run_id: int, user_id: int) -> None:
        beat = asyncio.create_task(self._beat(run_id), name=f"recommendation-beat-{run_id}")
        try:
            await self._work(run_id, user_id)
        finally:
            await cancel_and_wait(beat)

    async def _work(self, run_id: int, user_id: int) -> None:
        try:
            async with self.db.sessionmaker() as db:
                user = await db.get(User, user_id)
                if user is None:
                    return
                prefs = await get_preferences(db, user_id)
                await db.commit()
                snapshot = _detached(prefs)
                navidrome = await self.hub.navidrome(user)
            profile = await self.profiles.get(user_id, navidrome)
            listening = await listening_for_run(
                self.db.sessionmaker, self.hub, self.hub.secret_box, user_id
            )
            values = await self.hub.values("ollama")
            pipeline = Pipeline(
                self.db.sessionmaker,
                lidarr=await self.hub.lidarr(),
                ollama=await self.hub.ollama(),
                temperature=_temperature(values),
                on_card=self._notify,
            )
            await pipeline.run(run_id, user_id, profile, snapshot, listening)
        except AppError as error:
            await self._fail(run_id, error.detail, error.code)
        except asyncio.CancelledError:
            await self._fail(run_id, STOPPED, "interrupted")
            raise
        except Exception:  # a run must always end in a state the user can see; logged
            log.exception("recommendation run %s failed", run_id)
            await self._fail(
                run_id,
                "Tastemaker hit an unexpected error during this run; it is logged — run again",
                "internal_error",
            )

    def _notify(self, card_id: int) -> None:
        for listener in self.listeners:
            listener(card_id)

    async def _fail(self, run_id: int, message: str, code: str) -> None:
        async with self.db.sessionmaker() as db:
            run = await db.get(RecommendationRun, run_id)
            if run is None or run.status != RunStatus.RUNNING:
                return
            run.status = RunStatus.FAILED
            run.error = message
            run.error_code = code
            run.finished_at = utcnow()
            started = run.started_at
            run.duration_ms = int((run.finished_at - started).total_seconds() * 1000)
            await db.commit()

    async def aclose(self) -> None:
        await cancel_and_wait(*(task for task in self._tasks.values() if not task.done()))
        self._tasks.clear()


def _last_beat() -> ColumnElement[datetime]:
    """When the run last showed life (runs from before heartbeats: when it started)."""
    return func.coalesce(RecommendationRun.heartbeat_at, RecommendationRun.started_at)


def _detached(prefs: UserPreferences) -> UserPreferences:
    """A plain copy that outlives the session it was read in."""
    copy = UserPreferences(user_id=prefs.user_id)
    for column in UserPreferences.__table__.columns:
        setattr(copy, column.key, getattr(prefs, column.key))
    return copy


class RunScheduler(WorkerLoop):
    """Starts scheduled runs (preferences: refresh daily or weekly)."""

    name = "recommendation-scheduler"

    def __init__(self, manager: RunManager, interval: float = SCHEDULE_INTERVAL_SECONDS) -> None:
        super().__init__(interval)
        self.manager = manager

    async def run_once(self, now: datetime | None = None) -> list[int]:
        """Start every due run now; returns the ids of the runs started."""
        if not await self.manager.hub.configured("ollama"):
            return []
        now = now or utcnow()
        started: list[int] = []
        async with self.manager.db.sessionmaker() as db:
            last = (
                select(
                    RecommendationRun.user_id, func.max(RecommendationRun.started_at).label("last")
                )
                .group_by(RecommendationRun.user_id)
                .subquery()
            )
            rows = await db.execute(
                select(UserPreferences.user_id, UserPreferences.refresh_schedule, last.c.last)
                .join(User, User.id == UserPreferences.user_id)
                .outerjoin(last, last.c.user_id == UserPreferences.user_id)
                .where(
                    UserPreferences.refresh_schedule.in_(tuple(SCHEDULE_PERIODS)),
                    User.is_active.is_(True),
                )
            )
            due = [
                user_id
                for user_id, schedule, last_started in rows
                if last_started is None or now - last_started >= SCHEDULE_PERIODS[schedule]
            ]
        for user_id in due:
            run_id, created = await self.manager.start(user_id, trigger="scheduled")
            if created:
                started.append(run_id)
        return started
