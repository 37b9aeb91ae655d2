"""A small per-user cache for library listings.

Listings (the artist index, album lists, genres, an artist or album page) are
kept for ``ttl`` seconds per Tastemaker user: a page that is opened, left and
opened again does not ask Navidrome twice, and stars and ratings (which belong
to the user's own Navidrome account) never leak between users. A library scan
started through Tastemaker, or a user's own star/rating change, drops the
entries at once (``invalidate``); the time limit covers scans started elsewhere.
A listing that was loading while entries were dropped is not kept: it may predate
the change. The number of entries is bounded, so memory does not grow with use.
The JSON API keeps its answers here too (``answers.py``), so they go with the
listings they were made from.

Each process keeps its own entries; ``publish`` (set in the lifespan, see
``notify.py``) tells the other processes serving the app to drop theirs too.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
DEFAULT_TTL_SECONDS = 60.0
DEFAULT_MAX_ENTRIES = 512


class LibraryCache:
    def __init__(
        self, ttl: float = DEFAULT_TTL_SECONDS, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Hashable, ...], tuple[float, Any]] = OrderedDict()
        # Bumped by every drop: what was read before it is not kept (``put``'s ``since``).
        self.generation = 0
        self.publish: Callable[[str], None] | None = None

    def forget(self, payload: str) -> None:
        """An invalidation published by another process ("" = everything)."""
        owner: Hashable | None = None
        if payload:
            owner = int(payload) if payload.lstrip("-").isdigit() else payload
        self._drop(owner)

    async def get(
        self, owner: Hashable, key: tuple[Hashable, ...], load: Callable[[], Awaitable[T]]
    ) -> T:
        found = self.peek(owner, key)
        if found is not None:
            value: T = found
            return value
        since = self.generation
        loaded = await load()
        self.put(owner, key, loaded, since=since)
        return loaded

    def peek(self, owner: Hashable, key: tuple[Hashable, ...]) -> Any | None:
        """The entry, if it is there and fresh."""
        full_key = (owner, *key)
        entry = self._entries.get(full_key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        self._entries.move_to_end(full_key)
        return entry[1]

    def put(self, owner: Hashable, key: tuple[Hashable, ...], value: Any, *, since: int) -> None:
        """Keep ``value``, read when ``generation`` was ``since``, unless entries were
        dropped meanwhile (a star or a scan while it loaded: it may be stale)."""
        if since != self.generation:
            return
        full_key = (owner, *key)
        self._entries[full_key] = (time.monotonic() + self.ttl, value)
        self._entries.move_to_end(full_key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self, owner: Hashable | None = None) -> None:
        """Everything (after a scan), or one user's entries (after they star or rate)."""
        self._drop(owner)
        if self.publish is not None:
            self.publish("" if owner is None else str(owner))

    def _drop(self, owner: Hashable | None) -> None:
        self.generation += 1
        if owner is None:
            self._entries.clear()
            return
        for key in [k for k in self._entries if k[0] == owner]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
