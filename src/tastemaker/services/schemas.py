"""Pydantic shapes for the service settings API. Secrets are never sent back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tastemaker.services.config import ServiceConfig
from tastemaker.services.connections import ConnectionReport
from tastemaker.services.definitions import SERVICES, ServiceKey


class FieldOut(BaseModel):
    key: str
    label: str
    kind: str
    value: str | None = Field(description="null for secrets: they are never sent back")
    is_set: bool
    locked: bool = Field(description="set by an environment variable; cannot be changed here")
    secret: bool
    choices: list[str] = []


class ServiceOut(BaseModel):
    key: ServiceKey
    title: str
    purpose: str
    configured: bool
    fields: list[FieldOut]


class ServicesOut(BaseModel):
    services: list[ServiceOut]


class ServicesIn(BaseModel):
    """Changes per service; a secret left empty or null keeps the stored one."""

    navidrome: dict[str, str | None] | None = None
    lidarr: dict[str, str | None] | None = None
    ollama: dict[str, str | None] | None = None


class ServiceTestIn(BaseModel):
    """Values to try instead of the saved ones (optional)."""

    values: dict[str, str | None] = {}


class ConnectionOut(BaseModel):
    service: ServiceKey
    ok: bool = True
    version: str
    latency_ms: int
    choices: dict[str, list[tuple[str, str]]]
    warnings: list[str]

    @classmethod
    def from_report(cls, report: ConnectionReport) -> ConnectionOut:
        return cls(
            service=report.service,
            version=report.version,
            latency_ms=report.latency_ms,
            choices=report.choices,
            warnings=report.warnings,
        )


REQUIRED = {
    "navidrome": ("url", "username", "password"),
    "lidarr": ("url", "api_key"),
    "ollama": ("url",),
}


def service_out(key: ServiceKey, config: ServiceConfig) -> ServiceOut:
    definition = SERVICES[key]
    return ServiceOut(
        key=key,
        title=definition.title,
        purpose=definition.purpose,
        configured=all(config[name].is_set for name in REQUIRED[key]),
        fields=[
            FieldOut(
                key=state.definition.key,
                label=state.definition.label,
                kind=state.definition.kind,
                value=None if state.definition.secret else state.value,
                is_set=state.is_set,
                locked=state.locked,
                secret=state.definition.secret,
                choices=list(state.definition.choices),
            )
            for state in config.values()
        ],
    )
