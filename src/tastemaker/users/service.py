"""Administration of users: roles, disabling, password resets, with the last-admin guard."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth import security
from tastemaker.auth.models import Role, User, UserSession
from tastemaker.auth.service import get_user, validate_password
from tastemaker.errors import Conflict


async def list_users(session: AsyncSession) -> list[User]:
    return list(await session.scalars(select(User).order_by(User.username)))


async def _active_admins(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)
    )
    return count or 0


async def _guard_last_admin(session: AsyncSession, user: User) -> None:
    if user.is_admin and user.is_active and await _active_admins(session) <= 1:
        raise Conflict(
            f"{user.username} is the last administrator: make someone else an admin first",
            code="last_admin",
        )


async def set_role(session: AsyncSession, user_id: int, role: Role) -> User:
    user = await get_user(session, user_id)
    if role != Role.ADMIN:
        await _guard_last_admin(session, user)
    user.role = role
    await session.commit()
    return user


async def set_active(session: AsyncSession, user_id: int, active: bool) -> User:
    """Disabling a user signs them out everywhere at once."""
    user = await get_user(session, user_id)
    if not active:
        await _guard_last_admin(session, user)
        await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.is_active = active
    await session.commit()
    return user


async def reset_password(session: AsyncSession, user_id: int, password: str) -> User:
    user = await get_user(session, user_id)
    validate_password(password)
    user.password_hash = security.hash_password(password)
    await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    await session.commit()
    return user
