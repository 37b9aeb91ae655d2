"""Rate limit for failed sign-ins, per user name and per client address.

A sliding window of failure times, kept in the database (``login_failures``) so it
holds across every process and machine serving the app: guessing passwords against
four workers is no faster than against one. A failure is two small rows; rows older
than the window are deleted as new failures arrive, so the table stays small.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, func, select

from tastemaker.auth.models import LoginFailure
from tastemaker.db import Database, utcnow

MAX_KEY_LENGTH = 400


class LoginRateLimiter:
    def __init__(self, db: Database, max_attempts: int, window_seconds: int) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.window = window_seconds

    def _keys(self, username: str, client: str) -> tuple[str, str]:
        return (
            f"user:{username.lower()}|{client}"[:MAX_KEY_LENGTH],
            f"client:{client}"[:MAX_KEY_LENGTH],
        )

    async def retry_after(self, username: str, client: str) -> int | None:
        """Seconds to wait before trying again, or None when an attempt is allowed."""
        now = utcnow()
        user_key, client_key = self._keys(username, client)
        limits = {user_key: self.max_attempts, client_key: self.max_attempts * 4}
        async with self.db.sessionmaker() as session:
            rows = await session.execute(
                select(LoginFailure.key, func.count(), func.min(LoginFailure.failed_at))
                .where(
                    LoginFailure.key.in_(limits),
                    LoginFailure.failed_at > now - timedelta(seconds=self.window),
                )
                .group_by(LoginFailure.key)
            )
            counted = rows.all()
        waits = [
            (oldest + timedelta(seconds=self.window) - now).total_seconds()
            for key, count, oldest in counted
            if count >= limits[key]
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    async def record_failure(self, username: str, client: str) -> None:
        now = utcnow()
        async with self.db.sessionmaker() as session:
            await session.execute(
                delete(LoginFailure).where(
                    LoginFailure.failed_at <= now - timedelta(seconds=self.window)
                )
            )
            session.add_all(
                LoginFailure(key=key, failed_at=now) for key in self._keys(username, client)
            )
            await session.commit()

    async def reset(self, username: str, client: str) -> None:
        """A successful sign-in forgets that name's failures from that client."""
        async with self.db.sessionmaker() as session:
            await session.execute(
                delete(LoginFailure).where(LoginFailure.key == self._keys(username, client)[0])
            )
            await session.commit()
