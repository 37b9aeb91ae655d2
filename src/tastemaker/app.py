"""``create_app(settings)``: the one place that wires the app together.

The lifespan builds the database engine and shared clients and puts them on
``app.state``; nothing connects or reads the environment at import time, so tests
build as many apps as they like with their own settings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from tastemaker import __version__, docs, health
from tastemaker.assets import mount_assets
from tastemaker.auth import router as auth_router
from tastemaker.auth.ratelimit import LoginRateLimiter
from tastemaker.auth.service import SessionPolicy
from tastemaker.base_path import BasePathMiddleware
from tastemaker.dashboard import router as dashboard_router
from tastemaker.db import Database, import_models
from tastemaker.downloads import pages as downloads_pages
from tastemaker.downloads import router as downloads_router
from tastemaker.downloads.worker import DownloadWorker
from tastemaker.encryption import SecretBox
from tastemaker.library import pages as library_pages
from tastemaker.library import router as library_router
from tastemaker.library.cache import LibraryCache
from tastemaker.openapi import install_openapi
from tastemaker.preferences import router as preferences_router
from tastemaker.problems import install_error_handlers
from tastemaker.recommendations import router as recommendations_router
from tastemaker.recommendations.runner import RunManager, RunScheduler
from tastemaker.security_headers import SecurityHeadersMiddleware
from tastemaker.services import router as services_router
from tastemaker.services.hub import ServiceHub
from tastemaker.settings import Settings
from tastemaker.users import router as users_router
from tastemaker.web import Pages

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    import_models()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.resolved_database_url)
        # One connection pool for every service client (Navidrome, Lidarr).
        app.state.http = httpx.AsyncClient(follow_redirects=False)
        app.state.services = ServiceHub(
            settings=settings, secret_box=app.state.secret_box, db=app.state.db, http=app.state.http
        )
        app.state.services.start_monitor()
        app.state.recommendations = RunManager(app.state.db, app.state.services)
        await app.state.recommendations.mark_interrupted()
        app.state.recommendation_scheduler = RunScheduler(app.state.recommendations)
        app.state.recommendation_scheduler.start()
        app.state.downloads = DownloadWorker(
            app.state.db,
            app.state.services,
            app.state.secret_box,
            on_library_changed=app.state.library_cache.invalidate,
        )
        app.state.downloads.start()
        log.info(
            "Tastemaker %s started (database: %s)", __version__, app.state.db.engine.dialect.name
        )
        try:
            yield
        finally:
            await app.state.recommendation_scheduler.aclose()
            await app.state.recommendations.aclose()
            await app.state.downloads.aclose()
            await app.state.services.aclose()
            await app.state.http.aclose()
            await app.state.db.dispose()

    app = FastAPI(
        title="Tastemaker",
        version=__version__,
        summary="Self-hosted music discovery for Navidrome, Lidarr and Ollama",
        lifespan=lifespan,
        docs_url=None,  # docs.py serves it from our own assets
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.session_policy = SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(days=settings.session_max_days),
    )
    app.state.login_limiter = LoginRateLimiter(
        settings.login_max_attempts, settings.login_window_seconds
    )
    app.state.secret_box = SecretBox(settings.resolved_secret_key)
    app.state.library_cache = LibraryCache()
    manifest = mount_assets(app, settings.base_path)
    app.state.pages = Pages(
        base_path=settings.base_path,
        secret_key=settings.resolved_secret_key,
        asset_url=manifest.url,
        icon=manifest.icon,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BasePathMiddleware, base_path=settings.base_path)
    app.include_router(health.api)
    app.include_router(docs.router)
    app.include_router(auth_router.api)
    app.include_router(auth_router.router)
    app.include_router(users_router.router)
    app.include_router(dashboard_router.router)
    app.include_router(library_router.api)
    app.include_router(library_pages.router)
    app.include_router(services_router.api)
    app.include_router(services_router.router)
    app.include_router(recommendations_router.api)
    app.include_router(recommendations_router.router)
    app.include_router(preferences_router.api)
    app.include_router(preferences_router.router)
    app.include_router(downloads_router.api)
    app.include_router(downloads_router.webhooks)
    app.include_router(downloads_pages.router)
    return app
