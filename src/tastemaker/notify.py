"""Tell every process serving the app that something changed: PostgreSQL LISTEN/NOTIFY.

What a process keeps in memory for speed (library listings, service settings) is
dropped everywhere when one process changes what it was read from, and a request
made on any process wakes the one that runs the background work. A message is a
channel name and a short payload; an empty payload means "everything".

On PostgreSQL each process keeps one connection that LISTENs (and sends); a message
is delivered to the sending process at once and to the others within milliseconds.
When that connection drops, every subscriber is told "everything" on reconnection,
since messages may have been missed meanwhile; the caches' time limits bound the
damage until then. On SQLite one process serves the app, so delivery stays in it.

Why not Redis: PostgreSQL is already what several processes need for their shared
truth, and these messages are few and small. A second service to run, secure and
back up would buy nothing here (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from tastemaker.tasks import cancel_and_wait

log = logging.getLogger(__name__)
PG_CHANNEL = "tastemaker"
RECONNECT_SECONDS = 2.0
CHECK_SECONDS = 5.0

Handler = Callable[[str], None]


class Notifier:
    """Delivery within this process only (SQLite: the one process)."""

    def __init__(self) -> None:
        self.origin = uuid.uuid4().hex
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, channel: str, handler: Handler) -> None:
        self._handlers[channel].append(handler)

    def publisher(self, channel: str) -> Callable[[str], None]:
        return lambda payload: self.publish(channel, payload)

    def publish(self, channel: str, payload: str = "") -> None:
        """Deliver here at once (synchronously), and to the other processes."""
        self._deliver(channel, payload)

    def _deliver(self, channel: str, payload: str) -> None:
        for handler in self._handlers.get(channel, []):
            try:
                handler(payload)
            except Exception:  # one subscriber's failure must not stop the others; logged
                log.exception("notification handler for %s failed", channel)

    def _deliver_everything(self) -> None:
        for channel in list(self._handlers):
            self._deliver(channel, "")

    async def start(self) -> None:
        """Nothing to connect in one process."""

    async def aclose(self) -> None:
        """Nothing to close in one process."""


class PostgresNotifier(Notifier):
    """LISTEN/NOTIFY on a connection of its own, reconnecting when it drops."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine
        self._outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=1000)
        self._task: asyncio.Task[None] | None = None
        self._unsent: str | None = None  # taken from the outbox when the connection broke
        self.connected = asyncio.Event()

    def publish(self, channel: str, payload: str = "") -> None:
        self._deliver(channel, payload)
        message = json.dumps({"o": self.origin, "c": channel, "p": payload})
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("notifications: outbox full, dropping a %s message", channel)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifier")

    async def aclose(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    def _received(self, _connection: Any, _pid: int, _channel: str, raw: str) -> None:
        try:
            message = json.loads(raw)
            origin, channel, payload = str(message["o"]), str(message["c"]), str(message["p"])
        except (ValueError, KeyError, TypeError):
            log.warning("notifications: ignored a malformed message")
            return
        if origin != self.origin:  # our own were delivered when published
            self._deliver(channel, payload)

    async def _run(self) -> None:
        first = True
        while True:
            try:
                async with self.engine.connect() as connection:
                    raw = await connection.get_raw_connection()
                    driver = raw.driver_connection
                    assert driver is not None
                    await driver.add_listener(PG_CHANNEL, self._received)
                    self.connected.set()
                    if not first:
                        self._deliver_everything()  # what was missed while away
                    first = False
                    try:
                        await self._send_until_closed(driver)
                    finally:
                        self.connected.clear()
                        await connection.invalidate()  # never back to the pool: it LISTENs
            except (SQLAlchemyError, OSError) as error:
                log.warning("notifications: database unavailable (%s); retrying", error)
            except Exception as error:  # asyncpg's own errors; the loop must go on
                log.warning("notifications: connection lost (%s); retrying", error)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _send_until_closed(self, driver: Any) -> None:
        while True:
            if self._unsent is None:
                try:
                    # Not wait_for: on Python 3.11 it swallows a cancel that lands as a
                    # message arrives, and aclose() would hang until the next check.
                    async with asyncio.timeout(CHECK_SECONDS):
                        self._unsent = await self._outbox.get()
                except TimeoutError:
                    await driver.execute("SELECT 1")  # notice a dead connection
                    continue
            await driver.execute("SELECT pg_notify($1, $2)", PG_CHANNEL, self._unsent)
            self._unsent = None


def notifier_for(engine: AsyncEngine) -> Notifier:
    return PostgresNotifier(engine) if engine.dialect.name == "postgresql" else Notifier()
