"""``cancel_and_wait(task)``: stop a background task and wait until it has stopped.

Every long-lived loop (notifier, leadership, workers, heartbeats, service monitor)
ends this way on shutdown. The task's own ``CancelledError`` is expected and dropped;
a cancellation of the *caller* while it waits is not, and goes on (asyncio's
``Task.cancelling()``), so a shutdown that is itself cancelled still stops.
"""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel each task (None: nothing to stop), then wait for all of them."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    for task in running:
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
