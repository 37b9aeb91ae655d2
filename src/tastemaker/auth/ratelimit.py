"""Rate limit for failed sign-ins, per user name and per client address.

A sliding window of failure times in memory. One process holds it; sharing it
between processes (Redis or PostgreSQL) is the scale-out issue's work.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque


class LoginRateLimiter:
    def __init__(self, max_attempts: int, window_seconds: int) -> None:
        self.max_attempts = max_attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _keys(self, username: str, client: str) -> tuple[str, str]:
        return (f"user:{username.lower()}|{client}", f"client:{client}")

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, username: str, client: str) -> int | None:
        """Seconds to wait before trying again, or None when an attempt is allowed."""
        now = time.monotonic()
        user_key, client_key = self._keys(username, client)
        waits = []
        for key, limit in ((user_key, self.max_attempts), (client_key, self.max_attempts * 4)):
            failures = self._prune(key, now)
            if len(failures) >= limit:
                waits.append(failures[0] + self.window - now)
        return math.ceil(max(waits)) if waits else None

    def record_failure(self, username: str, client: str) -> None:
        now = time.monotonic()
        for key in self._keys(username, client):
            self._failures[key].append(now)

    def reset(self, username: str, client: str) -> None:
        self._failures.pop(self._keys(username, client)[0], None)

    def clear(self) -> None:
        self._failures.clear()
