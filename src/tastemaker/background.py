"""The background work, run by one process for all (``leadership.py`` picks which).

The request worker (with its Lidarr poller), the discoveries playlist worker and the
recommendation scheduler start when this process is elected and stop when it is no
longer. It also sweeps recommendation runs whose process died: a run works in the
process where it was started and stamps a heartbeat there, so only a run whose
heartbeat went silent is marked interrupted, never one another live process is
still working on.

Stopping is graceful: a worker that can (``stop(grace)``) finishes the cycle in
flight and hands back what it had claimed, so the next leader starts at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from tastemaker.recommendations.runner import STALE_AFTER, RunManager
from tastemaker.worker_loop import WorkerLoop

log = logging.getLogger(__name__)
SWEEP_SECONDS = 10.0
GRACE_SECONDS = 10.0


class BackgroundWork:
    def __init__(
        self,
        workers: Sequence[WorkerLoop],
        runs: RunManager,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        grace_seconds: float = GRACE_SECONDS,
    ) -> None:
        self.workers = list(workers)
        self.runs = runs
        self.sweep_seconds = sweep_seconds
        self.grace_seconds = grace_seconds

    async def run(self) -> None:
        """Until cancelled: the workers run, and orphaned runs are swept now and then."""
        for worker in self.workers:
            worker.start()
        try:
            while True:
                await self.sweep()
                await asyncio.sleep(self.sweep_seconds)
        finally:
            for worker in reversed(self.workers):
                try:
                    await worker.stop(self.grace_seconds)
                except Exception:  # every worker gets stopped, whatever one did; logged
                    log.exception("stopping %s failed", type(worker).__name__)

    async def sweep(self) -> int:
        try:
            marked = await self.runs.mark_interrupted(stale_after=STALE_AFTER)
        except Exception:  # the sweep must outlive a database hiccup; logged
            log.exception("sweeping interrupted recommendation runs failed")
            return 0
        if marked:
            log.info("marked %d recommendation run(s) interrupted: their process stopped", marked)
        return marked
