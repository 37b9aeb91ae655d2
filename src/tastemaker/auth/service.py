"""Accounts: create users, check passwords, open and close sessions, API tokens.

Knows no HTTP: takes a database session, raises errors from ``tastemaker.errors``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth import security
from tastemaker.auth.models import ApiToken, Role, User, UserSession
from tastemaker.db import utcnow
from tastemaker.errors import Conflict, InvalidCredentials, InvalidInput, NotFound
from tastemaker.preferences.models import UserPreferences

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
# Writing last_seen_at on every request would turn every read into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def validate_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            "User names are 2 to 32 characters: letters, digits, dots, dashes and underscores",
            errors=[{"field": "username", "message": "2–32 letters, digits, . _ or -"}],
        )
    return name


def validate_password(password: str, field: str = "password") -> str:
    if not security.MIN_PASSWORD_LENGTH <= len(password) <= security.MAX_PASSWORD_LENGTH:
        message = f"Passwords are {security.MIN_PASSWORD_LENGTH} to {security.MAX_PASSWORD_LENGTH} characters long"
        raise InvalidInput(message, errors=[{"field": field, "message": message}])
    return password


async def user_count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(User))) or 0


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    return user


async def get_user_by_name(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == normalise_username(username)))


async def create_user(
    session: AsyncSession,
    username: str,
    password: str,
    *,
    role: Role = Role.USER,
    display_name: str = "",
) -> User:
    name = validate_username(username)
    validate_password(password)
    user = User(
        username=name,
        display_name=display_name.strip()[:100],
        password_hash=security.hash_password(password),
        role=role,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"The user name “{name}” is taken", code="username_taken") from exc
    session.add(UserPreferences(user_id=user.id))
    await session.commit()
    return user


async def authenticate(session: AsyncSession, username: str, password: str) -> User:
    user = await get_user_by_name(session, username)
    valid = security.verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise InvalidCredentials()
    return user


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


async def start_session(
    session: AsyncSession,
    user: User,
    policy: SessionPolicy,
    *,
    ip_address: str | None,
    user_agent: str | None,
) -> tuple[str, UserSession]:
    """Open a new session (a fresh id at every sign-in) and return its cookie token."""
    token = security.new_token()
    now = utcnow()
    user_session = UserSession(
        token_hash=security.token_hash(token),
        user=user,
        csrf_token=security.new_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300] or None,
    )
    user.last_login_at = now
    session.add(user_session)
    await session.commit()
    return token, user_session


async def resolve_session(
    session: AsyncSession, token: str, policy: SessionPolicy
) -> UserSession | None:
    """The live session for a cookie token, or None (unknown, expired, idle, disabled user)."""
    user_session = await session.scalar(
        select(UserSession).where(UserSession.token_hash == security.token_hash(token))
    )
    if user_session is None:
        return None
    now = utcnow()
    if (
        user_session.expires_at <= now
        or user_session.last_seen_at + policy.idle <= now
        or not user_session.user.is_active
    ):
        await session.delete(user_session)
        await session.commit()
        return None
    if now - user_session.last_seen_at >= LAST_SEEN_RESOLUTION:
        user_session.last_seen_at = now
        await session.commit()
    return user_session


async def end_session(session: AsyncSession, user_session: UserSession) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == user_session.id))
    await session.commit()


async def list_sessions(session: AsyncSession, user: User) -> list[UserSession]:
    result = await session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(result)


async def end_sessions(
    session: AsyncSession, user: User, *, except_id: int | None = None, only_id: int | None = None
) -> int:
    """End a user's sessions: all, all but one, or one (404 if it is not theirs)."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if except_id is not None:
        statement = statement.where(UserSession.id != except_id)
    if only_id is not None:
        statement = statement.where(UserSession.id == only_id)
    result = await session.execute(statement)
    await session.commit()
    ended: int = getattr(result, "rowcount", 0)
    if only_id is not None and ended == 0:
        raise NotFound("No such session")
    return ended


async def change_password(
    session: AsyncSession, user: User, current: str, new: str, *, keep_session_id: int | None
) -> None:
    """Change a password and end every other session of the user."""
    if not security.verify_password(current, user.password_hash):
        raise InvalidInput(
            "The current password is wrong",
            errors=[{"field": "current_password", "message": "Wrong password"}],
        )
    validate_password(new, field="new_password")
    user.password_hash = security.hash_password(new)
    await end_sessions(session, user, except_id=keep_session_id)


async def display_name_update(session: AsyncSession, user: User, display_name: str) -> None:
    user.display_name = display_name.strip()[:100]
    await session.commit()


# API tokens


async def create_api_token(session: AsyncSession, user: User, name: str) -> tuple[str, ApiToken]:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(
            "Give the token a name (up to 100 characters)",
            errors=[{"field": "name", "message": "1–100 characters"}],
        )
    plaintext = security.new_api_token()
    token = ApiToken(
        user_id=user.id, name=name, token_hash=security.token_hash(plaintext), prefix=plaintext[:8]
    )
    session.add(token)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"You already have a token named “{name}”", code="token_name_taken") from exc
    return plaintext, token


async def list_api_tokens(session: AsyncSession, user: User) -> list[ApiToken]:
    result = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    )
    return list(result)


async def revoke_api_token(session: AsyncSession, user: User, token_id: int) -> None:
    result = await session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    await session.commit()
    if getattr(result, "rowcount", 0) == 0:
        raise NotFound("No such token")


async def user_for_api_token(session: AsyncSession, plaintext: str) -> User | None:
    token = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == security.token_hash(plaintext))
    )
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_SEEN_RESOLUTION:
        token.last_used_at = now
        await session.commit()
    return token.user


def describe_age(moment: datetime | None) -> str:
    """'3 minutes ago' style text for pages listing sessions and tokens."""
    if moment is None:
        return "never"
    seconds = int((utcnow() - moment).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
