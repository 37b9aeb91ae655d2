"""Linking a Tastemaker user to their own Navidrome account.

With an account linked, stars, ratings, scrobbles and play counts are the user's
own in Navidrome; without one, the shared account an admin configured speaks for
them. The password is checked against Navidrome before it is saved, stored
encrypted (``SecretBox``), and never shown again.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role, User
from tastemaker.encryption import SecretBox
from tastemaker.errors import AppError, InvalidInput, ServiceAuthFailed
from tastemaker.integrations.navidrome import NavidromeCredentials
from tastemaker.preferences.models import UserPreferences
from tastemaker.services.hub import ServiceHub

log = logging.getLogger(__name__)


async def link_account(
    db: AsyncSession,
    hub: ServiceHub,
    secret_box: SecretBox,
    user: User,
    username: str,
    password: str,
) -> None:
    """Raise the service's error (wrong password, Navidrome down…) or save the account."""
    username = username.strip()
    if not username or not password:
        raise InvalidInput(
            "Enter your Navidrome user name and password",
            errors=[
                {"field": name, "message": "Required"}
                for name, value in (
                    ("navidrome_username", username),
                    ("navidrome_password", password),
                )
                if not value
            ],
        )
    navidrome = await hub.navidrome()
    await navidrome.ping(credentials=NavidromeCredentials(username, password))
    user.navidrome_username = username
    user.navidrome_password_encrypted = secret_box.encrypt(password)
    await db.commit()


async def unlink_account(db: AsyncSession, user: User) -> None:
    user.navidrome_username = None
    user.navidrome_password_encrypted = None
    await db.commit()


async def sign_in_with_navidrome(
    db: AsyncSession, hub: ServiceHub, secret_box: SecretBox, username: str, password: str
) -> User | None:
    """The local user for a Navidrome account whose password Navidrome accepts, else None.

    Only called when the local password did not match and ``NAVIDROME_SIGN_IN`` is on.
    A new name becomes a new user (role ``user``, no local password: they always sign
    in through Navidrome); an existing active user of that name is linked. Either way
    the Navidrome password is stored (encrypted), so they play as themselves.
    """
    if not hub.settings.navidrome_sign_in or not username or not password:
        return None
    try:
        name = auth_service.validate_username(username)
        navidrome = await hub.navidrome()
        await navidrome.ping(credentials=NavidromeCredentials(username.strip(), password))
    except ServiceAuthFailed:
        return None
    except AppError as error:  # Navidrome down, or a name we cannot use: not signed in
        log.info("Navidrome sign-in for %r not possible: %s", username, error.detail)
        return None
    user = await auth_service.get_user_by_name(db, name)
    if user is not None and not user.is_active:
        return None
    if user is None:
        user = User(username=name, password_hash=None, role=Role.USER)
        db.add(user)
        await db.flush()
        db.add(UserPreferences(user_id=user.id))
    user.navidrome_username = username.strip()
    user.navidrome_password_encrypted = secret_box.encrypt(password)
    await db.commit()
    return user
