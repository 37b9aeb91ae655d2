"""The OpenAPI document, made truthful about errors.

FastAPI documents validation errors as its own ``application/json`` shape; every
error here is RFC 9457 ``application/problem+json`` (see ``problems.py``). This
rewrites each operation's error responses to the Problem schema and adds a
``default`` problem response, so clients (and schemathesis) know what any error
looks like.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem with a stable machine-readable `code`.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "service": {"type": "string", "description": "The failing service, if one failed"},
        "errors": {
            "type": "array",
            "description": "The failing fields of a validation error",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# What holds for every operation, and so is said once (see request_guard.py).
LIMITS = (
    "Every request body is at most 1 MiB (else 413); text in a request is valid Unicode "
    "(a lone surrogate is a 422) without the NUL character U+0000 (else 400)."
)


def _with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    info = schema.setdefault("info", {})
    info["description"] = "\n\n".join(filter(None, (info.get("description"), LIMITS)))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status != "default" and int(status) >= 400:
                    response["content"] = PROBLEM_CONTENT
                    response.setdefault("description", "A problem")
            responses["default"] = {
                "description": "Any other error, as an RFC 9457 problem",
                "content": PROBLEM_CONTENT,
            }
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
