"""``create_app(settings)``: the one place that wires the app together.

The lifespan builds the database engine and shared clients and puts them on
``app.state``; nothing connects or reads the environment at import time, so tests
build as many apps as they like with their own settings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from tastemaker import __version__, docs, health
from tastemaker.assets import mount_assets
from tastemaker.auth import router as auth_router
from tastemaker.auth.principal_cache import PrincipalCache
from tastemaker.auth.ratelimit import LoginRateLimiter
from tastemaker.auth.service import SessionPolicy
from tastemaker.background import BackgroundWork
from tastemaker.base_path import BasePathMiddleware
from tastemaker.dashboard import router as dashboard_router
from tastemaker.db import Database, import_models
from tastemaker.downloads import pages as downloads_pages
from tastemaker.downloads import router as downloads_router
from tastemaker.downloads.worker import DownloadWorker
from tastemaker.encryption import SecretBox
from tastemaker.leadership import Leadership
from tastemaker.library import pages as library_pages
from tastemaker.library import router as library_router
from tastemaker.library.answers import RepeatedAnswersMiddleware
from tastemaker.library.cache import LibraryCache
from tastemaker.notify import notifier_for
from tastemaker.openapi import install_openapi
from tastemaker.playlists import router as playlists_router
from tastemaker.playlists.worker import DiscoveriesWorker
from tastemaker.preferences import router as preferences_router
from tastemaker.problems import install_error_handlers
from tastemaker.recommendations import router as recommendations_router
from tastemaker.recommendations.runner import RunManager, RunScheduler
from tastemaker.request_guard import RequestGuardMiddleware
from tastemaker.security_headers import SecurityHeadersMiddleware
from tastemaker.services import router as services_router
from tastemaker.services.hub import ServiceHub
from tastemaker.settings import Settings
from tastemaker.sources import router as sources_router
from tastemaker.users import router as users_router
from tastemaker.web import Pages

log = logging.getLogger(__name__)


def _wake_if_running(worker: DownloadWorker) -> Callable[[str], None]:
    def wake(payload: str) -> None:
        if worker.running:
            worker.wake(poll=payload == "poll")

    return wake


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    import_models()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.resolved_database_url)
        app.state.principals = PrincipalCache(app.state.db, app.state.session_policy)
        # One connection pool for every service client (Navidrome, Lidarr).
        app.state.http = httpx.AsyncClient(follow_redirects=False)
        app.state.services = ServiceHub(
            settings=settings, secret_box=app.state.secret_box, db=app.state.db, http=app.state.http
        )
        app.state.services.start_monitor()
        # Counted in the database: the same limit whichever process is asked.
        app.state.login_limiter = LoginRateLimiter(
            app.state.db, settings.login_max_attempts, settings.login_window_seconds
        )
        # Caches are per process; the notifier drops them in every process at once.
        notifier = app.state.notifier = notifier_for(app.state.db.engine)
        notifier.subscribe("services", app.state.services.forget)
        app.state.services.on_invalidate = notifier.publisher("services")
        notifier.subscribe("library", app.state.library_cache.forget)
        notifier.subscribe("principals", app.state.principals.forget)
        app.state.principals.publish = notifier.publisher("principals")
        app.state.library_cache.publish = notifier.publisher("library")
        await notifier.start()
        app.state.recommendations = RunManager(app.state.db, app.state.services)
        app.state.recommendation_scheduler = RunScheduler(app.state.recommendations)
        app.state.discoveries = DiscoveriesWorker(app.state.db, app.state.services)
        app.state.downloads = DownloadWorker(
            app.state.db,
            app.state.services,
            app.state.secret_box,
            on_library_changed=app.state.library_cache.invalidate,
            on_completed=app.state.discoveries.request_completed,
        )
        # A request or webhook on a process that does not run the worker wakes the one that does.
        app.state.downloads.wake_elsewhere = lambda poll: notifier.publish(
            "downloads", "poll" if poll else ""
        )
        notifier.subscribe("downloads", _wake_if_running(app.state.downloads))
        # One process among all those on the database runs the background work.
        work = BackgroundWork(
            [app.state.recommendation_scheduler, app.state.discoveries, app.state.downloads],
            app.state.recommendations,
        )
        app.state.leadership = Leadership(
            app.state.db.engine,
            work.run,
            elect=None if settings.background_work == "elected" else False,
        )
        if settings.background_work != "never":
            app.state.leadership.start()
        log.info(
            "Tastemaker %s started (database: %s, background work: %s)",
            __version__,
            app.state.db.engine.dialect.name,
            settings.background_work,
        )
        try:
            yield
        finally:
            # Workers finish their cycle and hand back what they claimed; runs in
            # flight end as "stopped", for the user to run again.
            await app.state.leadership.stop()
            for worker in work.workers:  # also any a test started by hand (no-op otherwise)
                await worker.aclose()
            await app.state.recommendations.aclose()
            await notifier.aclose()
            app.state.library_cache.publish = None
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
    # Innermost: repeated answers still pass every layer below but the routing.
    app.add_middleware(RepeatedAnswersMiddleware, state=app.state)
    # Pages go out gzipped (/library's 81 KB of HTML travel as 8 KB); built assets
    # have .br/.gz files of their own (assets.py). API JSON stays plain: its clients
    # are mostly on the LAN, where compressing costs more time than it saves.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/json"),
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(BasePathMiddleware, base_path=settings.base_path)
    if settings.trusted_proxies:
        # Outermost: the client address (rate limits, sessions) and the scheme (Secure
        # cookies) come from X-Forwarded-* only when a trusted proxy sent them.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.include_router(health.api)
    app.include_router(docs.router)
    app.include_router(auth_router.api)
    app.include_router(auth_router.router)
    app.include_router(users_router.router)
    app.include_router(sources_router.api)
    app.include_router(sources_router.router)
    app.include_router(dashboard_router.router)
    app.include_router(playlists_router.api)
    app.include_router(playlists_router.router)
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
