"""The downloads feature's admin settings, kept in ``service_settings`` under "downloads".

They are few and small (approval on/off, a weekly limit, the search and library
timeouts and the webhook's shared secret), and that table already holds per-service values edited by
admins with secrets encrypted at rest, so no table of their own is needed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.encryption import SecretBox
from tastemaker.errors import InvalidInput
from tastemaker.services.models import ServiceSetting

SERVICE = "downloads"
DEFAULT_SEARCH_TIMEOUT_MINUTES = 30.0
# How long Navidrome may take to list an album Lidarr imported.
DEFAULT_LIBRARY_TIMEOUT_MINUTES = 30.0
MAX_TIMEOUT_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class DownloadSettings:
    approval_required: bool = False
    weekly_limit: int = 0  # 0 means no limit
    search_timeout_minutes: float = DEFAULT_SEARCH_TIMEOUT_MINUTES
    library_timeout_minutes: float = DEFAULT_LIBRARY_TIMEOUT_MINUTES
    webhook_secret: str = ""
    webhook_id: int | None = None  # the Lidarr connection Tastemaker registered

    @property
    def search_timeout_seconds(self) -> float:
        return self.search_timeout_minutes * 60

    @property
    def library_timeout_seconds(self) -> float:
        return self.library_timeout_minutes * 60


async def _rows(session: AsyncSession) -> dict[str, ServiceSetting]:
    rows = await session.scalars(select(ServiceSetting).where(ServiceSetting.service == SERVICE))
    return {row.key: row for row in rows}


async def load(session: AsyncSession, box: SecretBox) -> DownloadSettings:
    rows = await _rows(session)

    def raw(key: str) -> str | None:
        row = rows.get(key)
        if row is None:
            return None
        return box.decrypt(row.value) if row.is_secret else row.value

    timeout = raw("search_timeout_minutes")
    library_timeout = raw("library_timeout_minutes")
    webhook_id = raw("webhook_id")
    return DownloadSettings(
        approval_required=raw("approval_required") == "true",
        weekly_limit=int(raw("weekly_limit") or 0),
        search_timeout_minutes=float(timeout) if timeout else DEFAULT_SEARCH_TIMEOUT_MINUTES,
        library_timeout_minutes=(
            float(library_timeout) if library_timeout else DEFAULT_LIBRARY_TIMEOUT_MINUTES
        ),
        webhook_secret=raw("webhook_secret") or "",
        webhook_id=int(webhook_id) if webhook_id else None,
    )


async def save(
    session: AsyncSession,
    box: SecretBox,
    *,
    user_id: int | None,
    approval_required: bool | None = None,
    weekly_limit: int | None = None,
    search_timeout_minutes: float | None = None,
    library_timeout_minutes: float | None = None,
    webhook_secret: str | None = None,
    webhook_id: int | None = None,
) -> DownloadSettings:
    if weekly_limit is not None and weekly_limit < 0:
        raise InvalidInput(
            "The weekly limit cannot be negative",
            errors=[{"field": "weekly_limit", "message": "0 or more"}],
        )
    for field, minutes, name in (
        ("search_timeout_minutes", search_timeout_minutes, "search"),
        ("library_timeout_minutes", library_timeout_minutes, "library"),
    ):
        if minutes is not None and not 0 < minutes <= MAX_TIMEOUT_MINUTES:
            raise InvalidInput(
                f"The {name} timeout must be between a few seconds and a week",
                errors=[{"field": field, "message": "out of range"}],
            )
    changes: dict[str, tuple[str, bool]] = {}
    if approval_required is not None:
        changes["approval_required"] = ("true" if approval_required else "false", False)
    if weekly_limit is not None:
        changes["weekly_limit"] = (str(weekly_limit), False)
    if search_timeout_minutes is not None:
        changes["search_timeout_minutes"] = (repr(float(search_timeout_minutes)), False)
    if library_timeout_minutes is not None:
        changes["library_timeout_minutes"] = (repr(float(library_timeout_minutes)), False)
    if webhook_secret is not None:
        changes["webhook_secret"] = (webhook_secret, True)
    if webhook_id is not None:
        changes["webhook_id"] = (str(webhook_id), False)
    rows = await _rows(session)
    for key, (value, secret) in changes.items():
        stored = box.encrypt(value) if secret else value
        row = rows.get(key)
        if row is None:
            session.add(
                ServiceSetting(
                    service=SERVICE, key=key, value=stored, is_secret=secret, updated_by_id=user_id
                )
            )
        else:
            row.value, row.is_secret, row.updated_by_id = stored, secret, user_id
    await session.commit()
    return await load(session, box)


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)
