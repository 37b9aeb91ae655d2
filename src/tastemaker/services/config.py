"""Service connection values: environment defaults (locked) merged with what admins
saved in the database (secrets encrypted at rest), and saving them back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth.models import User
from tastemaker.encryption import SecretBox
from tastemaker.errors import InvalidInput
from tastemaker.services.definitions import SERVICES, FieldDef, ServiceKey
from tastemaker.services.models import ServiceSetting
from tastemaker.settings import Settings


@dataclass(frozen=True)
class FieldState:
    definition: FieldDef
    value: str  # the effective value ("" when unset); secrets are never rendered from it
    locked: bool  # set by environment variable: the UI cannot change it

    @property
    def is_set(self) -> bool:
        return bool(self.value)


ServiceConfig = dict[str, FieldState]


def _env_value(settings: Settings, field: FieldDef) -> str | None:
    if field.setting is None:
        return None
    raw = getattr(settings, field.setting)
    if raw is None:
        return None
    return raw.get_secret_value() if isinstance(raw, SecretStr) else str(raw)


async def load(
    session: AsyncSession, settings: Settings, box: SecretBox, service: ServiceKey
) -> ServiceConfig:
    rows = {
        row.key: row
        for row in await session.scalars(
            select(ServiceSetting).where(ServiceSetting.service == service)
        )
    }
    config: ServiceConfig = {}
    for field in SERVICES[service].fields:
        env = _env_value(settings, field)
        if env is not None:
            config[field.key] = FieldState(field, env, locked=True)
            continue
        row = rows.get(field.key)
        if row is None:
            value = field.default
        else:
            value = box.decrypt(row.value) if row.is_secret else row.value
        config[field.key] = FieldState(field, value, locked=False)
    return config


def values(config: ServiceConfig) -> dict[str, str]:
    return {key: state.value for key, state in config.items()}


NUMBER = r"-?[0-9]+(\.[0-9]+)?"  # what a "number" field holds: no exponent, no nan
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
# A service's address: http(s), a host name (ASCII; punycode for others), an IPv4 or a
# bracketed IPv6 address, an optional port and path. No user:password@ in it.
URL = rf"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:{_PORT})?(/[^\s]*)?"


def _is_number(text: str) -> bool:
    return re.fullmatch(NUMBER, text) is not None


def merge(config: ServiceConfig, changes: Mapping[str, str | None]) -> dict[str, str]:
    """The values after ``changes``; an empty secret means "keep the stored one"."""
    merged = values(config)
    for key, value in changes.items():
        state = config.get(key)
        if state is None:
            raise InvalidInput(
                f"Unknown setting “{key}”", errors=[{"field": key, "message": "unknown setting"}]
            )
        if state.locked:
            if value not in (None, state.value) and not state.definition.secret:
                raise InvalidInput(
                    f"{state.definition.label} is set by an environment variable",
                    errors=[{"field": key, "message": "locked by the environment"}],
                )
            continue
        if state.definition.secret and not value:
            continue
        cleaned = (value or "").strip()
        if state.definition.kind == "url" and cleaned and not re.fullmatch(URL, cleaned):
            raise InvalidInput(
                f"{state.definition.label} must be an http:// or https:// address, "
                "e.g. http://navidrome:4533",
                errors=[{"field": key, "message": "not an http(s) address"}],
            )
        if state.definition.kind == "number" and cleaned and not _is_number(cleaned):
            raise InvalidInput(
                f"{state.definition.label} must be a number",
                errors=[{"field": key, "message": "not a number"}],
            )
        if state.definition.choices and cleaned and cleaned not in state.definition.choices:
            raise InvalidInput(
                f"{state.definition.label} must be one of {', '.join(state.definition.choices)}",
                errors=[{"field": key, "message": "not one of the choices"}],
            )
        merged[key] = cleaned
    return merged


async def save(
    session: AsyncSession,
    box: SecretBox,
    service: ServiceKey,
    config: ServiceConfig,
    new_values: dict[str, str],
    user: User,
) -> None:
    rows = {
        row.key: row
        for row in await session.scalars(
            select(ServiceSetting).where(ServiceSetting.service == service)
        )
    }
    for key, value in new_values.items():
        state = config[key]
        if state.locked or value == state.value:
            continue
        stored = box.encrypt(value) if state.definition.secret else value
        row = rows.get(key)
        if row is None:
            session.add(
                ServiceSetting(
                    service=service,
                    key=key,
                    value=stored,
                    is_secret=state.definition.secret,
                    updated_by_id=user.id,
                )
            )
        else:
            row.value = stored
            row.updated_by_id = user.id
    await session.commit()
