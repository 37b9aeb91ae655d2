"""Pydantic shapes for the service settings API. Secrets are never sent back."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from tastemaker.services.config import NUMBER, URL, ServiceConfig
from tastemaker.services.connections import ConnectionReport
from tastemaker.services.definitions import SERVICES, FieldDef, ServiceKey


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
    optional: bool = Field(False, description="a listening source: off until set up")
    fields: list[FieldOut]


class ServicesOut(BaseModel):
    services: list[ServiceOut]


def _value_schema(field: FieldDef) -> dict[str, Any]:
    """What ``config.merge`` accepts for one field ("" or null clears it, or keeps a secret)."""
    schema: dict[str, Any] = {"type": "string"}
    if field.kind == "url":
        schema["pattern"] = f"^({URL})?$"
    elif field.kind == "number":
        schema["pattern"] = f"^({NUMBER})?$"
    elif field.choices:
        schema["enum"] = [*field.choices, ""]
    description = field.label + (": empty or null keeps the stored secret" if field.secret else "")
    return {"anyOf": [schema, {"type": "null"}], "description": description}


def values_schema(*keys: ServiceKey) -> WithJsonSchema:
    """The settings of these services as an object: only their own keys, each optional."""
    fields = {f.key: f for key in keys for f in SERVICES[key].fields}
    return WithJsonSchema(
        {
            "type": "object",
            "properties": {name: _value_schema(f) for name, f in fields.items()},
            "additionalProperties": False,
            "description": "Changes; a value set by an environment variable cannot change",
        }
    )


ServiceValues = dict[str, str | None]


class ServicesIn(BaseModel):
    """Changes per service; a secret left empty or null keeps the stored one."""

    model_config = ConfigDict(extra="forbid")

    navidrome: Annotated[ServiceValues, values_schema("navidrome")] | None = None
    lidarr: Annotated[ServiceValues, values_schema("lidarr")] | None = None
    ollama: Annotated[ServiceValues, values_schema("ollama")] | None = None
    listenbrainz: Annotated[ServiceValues, values_schema("listenbrainz")] | None = None
    lastfm: Annotated[ServiceValues, values_schema("lastfm")] | None = None


class ServiceTestIn(BaseModel):
    """Values to try instead of the saved ones (optional).

    Keys that are settings of another service than the one tested are ignored.
    """

    model_config = ConfigDict(extra="forbid")

    values: Annotated[ServiceValues, values_schema(*SERVICES)] = {}


Choice = Annotated[
    tuple[str, str],
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 2,
            "maxItems": 2,
            "description": "[value, label]",
        }
    ),
]


class ConnectionOut(BaseModel):
    service: ServiceKey
    ok: bool = True
    version: str
    latency_ms: int
    choices: dict[str, list[Choice]]
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
    "listenbrainz": SERVICES["listenbrainz"].required,
    "lastfm": SERVICES["lastfm"].required,
}


def service_out(key: ServiceKey, config: ServiceConfig) -> ServiceOut:
    definition = SERVICES[key]
    return ServiceOut(
        key=key,
        title=definition.title,
        purpose=definition.purpose,
        optional=definition.optional,
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
