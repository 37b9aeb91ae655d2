"""Exactly one process runs the background work (request worker, Lidarr poller,
scheduled recommendation runs), however many processes serve the app.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its
own; when the leader dies its connection closes, the lock is released, and another
process takes over at its next attempt (every few seconds). On SQLite there is one
process by design, so it always leads (as does a process told to skip the election,
``BACKGROUND_WORK=always``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tastemaker.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# An arbitrary constant, the same in every Tastemaker process: "the background work".
LOCK_KEY = 0x7A57E
RETRY_SECONDS = 3.0

Job = Callable[[], Coroutine[Any, Any, None]]


class Leadership:
    """Runs ``on_elected`` while this process holds the lock, and cancels it on loss.

    ``on_elected`` runs until cancelled (e.g. ``gather`` of the workers' loops).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        on_elected: Job,
        retry_seconds: float = RETRY_SECONDS,
        *,
        elect: bool | None = None,
    ):
        self.engine = engine
        self.on_elected = on_elected
        self.retry_seconds = retry_seconds
        # Only PostgreSQL is shared by several processes; SQLite has one.
        self.elect = engine.dialect.name == "postgresql" if elect is None else elect
        self.is_leader = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.create_task(self._campaign(), name="leadership")

    async def stop(self) -> None:
        """Stop the work (if leading) and give the lock back for another to take."""
        await cancel_and_wait(self._task)
        self._task = None
        self.is_leader.clear()

    async def _campaign(self) -> None:
        if not self.elect:
            self.is_leader.set()
            await self.on_elected()
            return
        while True:
            try:
                async with self.engine.connect() as connection:
                    if await self._try_lock(connection):
                        try:
                            await self._lead(connection)
                        finally:
                            # Close (not pool) the connection: that releases the lock.
                            await connection.invalidate()
            except SQLAlchemyError as error:
                log.warning("leadership: database unavailable (%s); retrying", type(error).__name__)
            self.is_leader.clear()
            await asyncio.sleep(self.retry_seconds)

    async def _try_lock(self, connection: AsyncConnection) -> bool:
        result = await connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
        )
        acquired = bool(result.scalar())
        await connection.commit()
        return acquired

    async def _lead(self, connection: AsyncConnection) -> None:
        """Run the work while checking that our lock connection is still alive."""
        log.info("leadership: this process runs the background work")
        self.is_leader.set()
        work = asyncio.create_task(self.on_elected(), name="background-work")
        try:
            while not work.done():
                await asyncio.sleep(self.retry_seconds)
                await connection.execute(text("SELECT 1"))
                await connection.commit()
        finally:
            await cancel_and_wait(work)
