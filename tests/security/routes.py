"""The app's own route table, so access tests cover every route, including new ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tastemaker.auth.deps import admin_user, require_principal

SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    requires_user: bool
    requires_admin: bool

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def example_path(self) -> str:
        """The path with every parameter filled in (an id that does not exist)."""
        return re.sub(r"\{[^}]+\}", "999999", self.path)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers as objects
            yield from _api_routes(route.original_router.routes)


def app_routes(app: FastAPI) -> list[Route]:
    found = []
    for route in _api_routes(list(app.routes)):
        calls = set(_calls(route.dependant))
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append(
                Route(
                    method=method,
                    path=route.path,
                    requires_user=require_principal in calls,
                    requires_admin=admin_user in calls,
                )
            )
    return found
