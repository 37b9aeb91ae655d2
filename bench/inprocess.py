"""The app in the benchmark's own process, for figures that are counts, never times.

Counting Lidarr calls or compressed bytes needs no second process; timing does
(see ``processes.py``). The app runs on a throw-away SQLite database with its
lifespan, and the client is signed in as the bench user.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from bench.processes import NAVIDROME_PASSWORD, NAVIDROME_USER, PASSWORD, USER
from tastemaker import migrate
from tastemaker.app import create_app
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.settings import Settings


@asynccontextmanager
async def running_app(**services: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """``services``: settings such as ``navidrome_url``, ``lidarr_url``, ``lidarr_api_key``."""
    with tempfile.TemporaryDirectory(prefix="tastemaker-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        if "navidrome_url" in services:
            services = {
                "navidrome_user": NAVIDROME_USER,
                "navidrome_password": NAVIDROME_PASSWORD,
                **services,
            }
        settings = Settings(
            _env_file=None,
            database_url=url,
            data_dir=Path(tmp),
            secret_key="bench-secret-key-not-for-production",  # noqa: S106
            log_level="WARNING",
            **services,
        )
        app = create_app(settings)
        async with LifespanManager(app):
            async with app.state.db.sessionmaker() as session:
                await auth_service.create_user(session, USER, PASSWORD, role=Role.ADMIN)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                answer = await http.post(
                    "/api/auth/login", json={"username": USER, "password": PASSWORD}
                )
                answer.raise_for_status()
                http.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
                yield app, http
