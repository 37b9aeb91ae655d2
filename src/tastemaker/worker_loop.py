"""The loop every background worker runs: a cycle now and then, or at once when woken.

The downloads worker and the discoveries playlist worker share it; each says what a
cycle does (``run_once``) and what to hand back when stopped (``release_leases``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tastemaker.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class WorkerLoop:
    """Runs ``run_once`` every ``tick_seconds``, or at once after ``wake()``, until stopped.

    ``aclose()`` cancels the loop wherever it is; ``stop(grace)`` lets the cycle in
    flight finish within ``grace`` seconds first, then hands back what was claimed so
    the next process (after a leadership change) takes it at once.
    """

    name = "worker"

    def __init__(self, tick_seconds: float) -> None:
        self.tick_seconds = tick_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def run_once(self) -> object:
        """One cycle; what it returns (e.g. how much it did) is for tests and logs."""
        raise NotImplementedError

    async def release_leases(self) -> None:
        """Hand back what this worker claimed and did not settle (nothing by default)."""

    def start(self) -> None:
        if not self.running:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name=self.name)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        self._wake.set()

    async def aclose(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def stop(self, grace: float) -> None:
        if self.running:
            self._stopping = True
            self._wake.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await asyncio.shield(self._task)  # type: ignore[arg-type]
        await self.aclose()
        await self.release_leases()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:  # the worker must outlive any one failure; it is logged
                log.exception("%s cycle failed", self.name)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel
            # that lands just as the wake comes, and the loop would outlive aclose().
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.tick_seconds):
                    await self._wake.wait()
            self._wake.clear()
