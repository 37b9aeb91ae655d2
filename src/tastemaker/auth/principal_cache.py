"""Who a session cookie or an API token belongs to, remembered for a few seconds.

Without it every signed-in request starts with a database round trip (the session
row and its user), which on a warm library listing costs several times the rest of
the request. The cache keeps a detached copy of those rows per token for ``ttl``
seconds. A route gets them merged into its own database session without a query
(``Session.merge(load=False)``), so it reads and changes the user exactly as
before: revocation and every other change stay the database's business.

Any committed change to a user, a session or an API token (an ORM flush or a bulk
UPDATE/DELETE through any session of the app) drops the cached entries it touches at
once, here and, through the notifier, in the other processes serving the app: signing
out, ending sessions, disabling a user or changing a role take effect on the next
request. A change from outside the app's processes (the CLI) reaches it within
``ttl``. Sign-in tokens that match nothing are never cached, so guessing costs the
guesser a query each time and the cache's memory stays bounded by real sessions.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tastemaker.auth import security, service
from tastemaker.auth.models import ApiToken, User, UserSession
from tastemaker.db import Database, utcnow

DEFAULT_TTL_SECONDS = 10.0
DEFAULT_MAX_ENTRIES = 4096
EVERYONE = -1  # a bulk change: which users it touched is not known
_CACHE = "principal_cache"  # Session.info key: the cache the session reports to
_CHANGED = "principals_changed"  # Session.info key: user ids changed in this transaction


def _session_key(token: str) -> str:
    return "s" + security.token_hash(token)


def _api_token_key(token: str) -> str:
    return "t" + security.token_hash(token)


@dataclass
class Principal:
    """The signed-in user, and their browser session (None for an API token)."""

    user: User
    session: UserSession | None


@dataclass(frozen=True)
class _Entry:
    expires: float  # time.monotonic()
    user: User  # detached
    session: UserSession | None  # detached


class PrincipalCache:
    def __init__(
        self,
        db: Database,
        policy: service.SessionPolicy,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self.db = db
        self.policy = policy
        self.ttl = ttl
        self.max_entries = max_entries
        self.publish: Callable[[str], None] | None = None
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._generation = 0  # bumped by every drop: a lookup begun before it is stale
        # Every session of this app carries the cache, so the events below can reach it.
        db.sessionmaker.configure(info={_CACHE: self})

    async def for_session(self, db: AsyncSession, token: str) -> Principal | None:
        """The live browser session of a cookie token, or None."""

        async def load(fresh: AsyncSession) -> tuple[User, UserSession] | None:
            found = await service.resolve_session(fresh, token, self.policy)
            return None if found is None else (found.user, found)

        return await self._principal(db, _session_key(token), load)

    async def for_api_token(self, db: AsyncSession, token: str) -> Principal | None:
        """The user of a valid API token, or None."""

        async def load(fresh: AsyncSession) -> tuple[User, None] | None:
            user = await service.user_for_api_token(fresh, token)
            return None if user is None else (user, None)

        return await self._principal(db, _api_token_key(token), load)

    async def _principal(
        self,
        db: AsyncSession,
        key: str,
        load: Callable[[AsyncSession], Awaitable[tuple[User, UserSession | None] | None]],
    ) -> Principal | None:
        entry = self._servable(key)
        if entry is None:
            entry = await self._load(key, load)
            if entry is None:
                return None
        # No query: the copies' loaded state becomes the request session's own objects.
        if entry.session is not None:
            user_session = db.sync_session.merge(entry.session, load=False)
            return Principal(user_session.user, user_session)
        return Principal(db.sync_session.merge(entry.user, load=False), None)

    def remembered_user_id(
        self, *, session_token: str | None = None, api_token: str | None = None
    ) -> int | None:
        """Whose cookie or API token this is, if a copy here may answer for it without
        the database (the same test as ``for_session``/``for_api_token``), else None:
        then only those two can tell."""
        if api_token is not None:
            entry = self._servable(_api_token_key(api_token))
        elif session_token is not None:
            entry = self._servable(_session_key(session_token))
        else:
            return None
        return None if entry is None else entry.user.id

    def _servable(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires <= time.monotonic() or self._lapsed(entry.session):
            return None
        self._entries.move_to_end(key)
        return entry

    def _lapsed(self, user_session: UserSession | None) -> bool:
        """Past its absolute limit, or due a ``last_seen_at`` update: a copy is never
        served a minute past its last sight, so the idle limit (5 minutes at least) is
        always checked against the database."""
        if user_session is None:
            return False
        now = utcnow()
        return (
            user_session.expires_at <= now
            or now - user_session.last_seen_at >= service.LAST_SEEN_RESOLUTION
        )

    async def _load(
        self,
        key: str,
        load: Callable[[AsyncSession], Awaitable[tuple[User, UserSession | None] | None]],
    ) -> _Entry | None:
        generation = self._generation
        async with self.db.sessionmaker() as fresh:
            found = await load(fresh)  # closing the session detaches what it loaded
        if found is None:
            self._entries.pop(key, None)
            return None
        entry = _Entry(time.monotonic() + self.ttl, *found)
        if generation == self._generation:  # nothing changed while it was read
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def invalidate(self, user_ids: set[int]) -> None:
        """Drop the entries of these users (``EVERYONE``: all), here and elsewhere."""
        self._drop(user_ids)
        if self.publish is not None:
            self.publish("" if EVERYONE in user_ids else ",".join(map(str, sorted(user_ids))))

    def forget(self, payload: str) -> None:
        """An invalidation published by another process ("" = everyone)."""
        self._drop({int(part) for part in payload.split(",")} if payload else {EVERYONE})

    def _drop(self, user_ids: set[int]) -> None:
        self._generation += 1
        if EVERYONE in user_ids:
            self._entries.clear()
            return
        for key in [k for k, e in self._entries.items() if e.user.id in user_ids]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


# The events below notice changes in every session of an app whose sessionmaker
# carries a cache (``info``); sessions of other engines (the CLI's) carry none.
_WATCHED = (User, UserSession, ApiToken)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in _WATCHED)


def _owner(instance: object) -> int | None:
    if isinstance(instance, User):
        return instance.id
    if isinstance(instance, (UserSession, ApiToken)):
        return instance.user_id
    return None


def _changed(session: Session) -> set[int]:
    changed: set[int] = session.info.setdefault(_CHANGED, set())
    return changed


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    if _CACHE in session.info:
        owners = {_owner(instance) for instance in (*session.dirty, *session.deleted)}
        _changed(session).update(owner for owner in owners if owner is not None)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_change(state: ORMExecuteState) -> None:
    """An UPDATE or DELETE statement (ORM or Core) on the watched tables: whose rows it
    touched is not known, so every entry goes."""
    if (state.is_update or state.is_delete) and _CACHE in state.session.info:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _WATCHED_TABLES:
            _changed(state.session).add(EVERYONE)


@event.listens_for(Session, "after_commit")
def _publish_changes(session: Session) -> None:
    changed: set[int] | None = session.info.pop(_CHANGED, None)
    if changed:
        session.info[_CACHE].invalidate(changed)
