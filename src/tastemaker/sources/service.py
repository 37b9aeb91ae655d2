"""Connecting and disconnecting a user's listening sources.

A name is checked with the source before it is saved (an unknown user is refused
at once, not at the next run); a ListenBrainz token is validated by ListenBrainz,
which also tells the canonical user name, then stored encrypted and never shown again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tastemaker.auth.models import User
from tastemaker.db import utcnow
from tastemaker.encryption import SecretBox
from tastemaker.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceAuthFailed,
    ServiceNotFound,
)
from tastemaker.integrations.lastfm import LastfmNotFound
from tastemaker.services.definitions import ServiceKey
from tastemaker.services.hub import ServiceHub

from .gather import Listening, gather
from .models import SOURCE_TITLES, ListeningSource, SourceKind

_KEYS: dict[SourceKind, ServiceKey] = {
    SourceKind.LISTENBRAINZ: "listenbrainz",
    SourceKind.LASTFM: "lastfm",
}


class UnknownSourceUser(NotFound):
    code = "source_user_not_found"
    title = "The listening service has no user of that name"

    def __init__(self, title: str, username: str, field: str) -> None:
        super().__init__(
            f"{title} has no user named “{username}”",
            errors=[{"field": field, "message": "Unknown user"}],
        )


class SourceNotAvailable(Conflict):
    """The admin has not set the service up (Settings → Services), so nobody can connect."""

    code = "source_not_available"
    title = "This listening source is turned off"


async def _require_available(hub: ServiceHub, kind: SourceKind) -> None:
    if not await hub.configured(_KEYS[kind]):
        title = SOURCE_TITLES[kind]
        raise SourceNotAvailable(
            f"{title} is turned off on this server — an administrator can set it up under "
            "Settings → Services"
        )


@dataclass(frozen=True)
class SourceView:
    """One source as the profile page shows it."""

    kind: SourceKind
    title: str
    available: bool  # an admin has set the service up
    link: ListeningSource | None


async def user_sources(db: AsyncSession, user_id: int) -> list[ListeningSource]:
    """The user's sources, ListenBrainz first (the order of notes and of merging)."""
    rows = await db.scalars(select(ListeningSource).where(ListeningSource.user_id == user_id))
    order = list(SourceKind)
    return sorted(rows, key=lambda link: order.index(SourceKind(link.kind)))


async def profile_views(db: AsyncSession, hub: ServiceHub, user: User) -> list[SourceView]:
    links = {SourceKind(link.kind): link for link in await user_sources(db, user.id)}
    return [
        SourceView(kind, SOURCE_TITLES[kind], await hub.configured(_KEYS[kind]), links.get(kind))
        for kind in (SourceKind.LISTENBRAINZ, SourceKind.LASTFM)
    ]


def _required(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[{"field": field, "message": "Required"}])


async def _save(
    db: AsyncSession, user: User, kind: SourceKind, username: str, token: str | None
) -> ListeningSource:
    link = await db.scalar(
        select(ListeningSource).where(
            ListeningSource.user_id == user.id, ListeningSource.kind == kind
        )
    )
    if link is None:
        link = ListeningSource(user_id=user.id, kind=kind, username=username)
        db.add(link)
    link.username = username
    link.token_encrypted = token
    link.last_error = None
    await db.commit()
    return link


async def connect_listenbrainz(
    db: AsyncSession,
    hub: ServiceHub,
    secret_box: SecretBox,
    user: User,
    username: str,
    token: str = "",
) -> ListeningSource:
    """Save the ListenBrainz account: by token (validated; gives the name) or by name alone."""
    username, token = username.strip(), token.strip()
    if not username and not token:
        raise _required("listenbrainz_username", "Enter your ListenBrainz user name")
    await _require_available(hub, SourceKind.LISTENBRAINZ)
    client = await hub.listenbrainz()
    if token:
        check = await client.validate_token(token)
        if not check.valid or not check.user_name:
            raise ServiceAuthFailed(
                "listenbrainz",
                "ListenBrainz does not accept this token — copy it again from "
                "listenbrainz.org/settings",
                errors=[{"field": "listenbrainz_token", "message": "Not a valid token"}],
            )
        username = check.user_name  # the canonical spelling, for the later calls
    else:
        try:
            await client.top_artists(username, count=1)
        except ServiceNotFound:
            raise UnknownSourceUser("ListenBrainz", username, "listenbrainz_username") from None
    encrypted = secret_box.encrypt(token) if token else None
    return await _save(db, user, SourceKind.LISTENBRAINZ, username, encrypted)


async def connect_lastfm(
    db: AsyncSession, hub: ServiceHub, user: User, username: str
) -> ListeningSource:
    username = username.strip()
    if not username:
        raise _required("lastfm_username", "Enter your Last.fm user name")
    await _require_available(hub, SourceKind.LASTFM)
    try:
        await (await hub.lastfm()).top_artists(username, limit=1)
    except LastfmNotFound:
        raise UnknownSourceUser("Last.fm", username, "lastfm_username") from None
    return await _save(db, user, SourceKind.LASTFM, username, None)


async def disconnect(db: AsyncSession, user: User, kind: SourceKind) -> bool:
    link = await db.scalar(
        select(ListeningSource).where(
            ListeningSource.user_id == user.id, ListeningSource.kind == kind
        )
    )
    if link is None:
        return False
    await db.delete(link)
    await db.commit()
    return True


async def listening_for_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    hub: ServiceHub,
    secret_box: SecretBox,
    user_id: int,
) -> Listening | None:
    """Read the user's connected sources for a run (``None`` without any) and note on
    each link when it was used or why it failed, for the profile page."""
    async with sessionmaker() as db:
        links = await user_sources(db, user_id)
        if not links:
            return None
        listening = await gather(links, hub, secret_box)
        for link, result in zip(links, listening.results, strict=True):
            if result.status == "ok":
                link.last_used_at = utcnow()
                link.last_error = None
            else:
                link.last_error = result.detail
        await db.commit()
    return listening
