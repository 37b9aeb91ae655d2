"""The one way the app reaches Navidrome, Lidarr and Ollama.

``ServiceHub`` lives on ``app.state.services``: it reads each service's settings
(environment plus what admins saved), builds the client, and keeps both for a short
while so a page does not re-read settings on every call. Saving settings
invalidates at once, here and (``on_invalidate``, see ``notify.py``) in the other
processes serving the app; the time limit covers a message that was missed.
It also keeps the last known health of each service, refreshed in the background,
for the admin banner.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from tastemaker.auth.models import User
from tastemaker.db import Database
from tastemaker.encryption import SecretBox
from tastemaker.errors import AppError, ServiceNotConfigured
from tastemaker.integrations.lastfm import LastfmClient
from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.integrations.listenbrainz import ListenBrainzClient
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.integrations.ollama import OllamaClient
from tastemaker.services import config as service_config
from tastemaker.services.connections import (
    ConnectionReport,
    check_connection,
    lastfm_client,
    lidarr_client,
    listenbrainz_client,
    navidrome_client,
    ollama_client,
)
from tastemaker.services.definitions import SERVICES, ServiceKey
from tastemaker.settings import Settings
from tastemaker.tasks import cancel_and_wait

log = logging.getLogger(__name__)
Status = Literal["ok", "degraded", "down"]
CONFIG_TTL_SECONDS = 30.0
MONITOR_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class ServiceHealth:
    status: Status
    detail: str = ""
    version: str | None = None
    latency_ms: int | None = None
    configured: bool = True

    @classmethod
    def from_report(cls, report: ConnectionReport) -> ServiceHealth:
        return cls(
            status="degraded" if report.warnings else "ok",
            detail="; ".join(report.warnings),
            version=report.version,
            latency_ms=report.latency_ms,
        )


class ServiceHub:
    def __init__(
        self, *, settings: Settings, secret_box: SecretBox, db: Database, http: httpx.AsyncClient
    ) -> None:
        self.settings = settings
        self.secret_box = secret_box
        self.db = db
        self.http = http
        self._values: dict[ServiceKey, tuple[float, dict[str, str]]] = {}
        self._clients: dict[ServiceKey, tuple[dict[str, str], object]] = {}
        self.health: dict[ServiceKey, ServiceHealth] = {}
        self._monitor: asyncio.Task[None] | None = None
        self.on_invalidate: Callable[[str], None] | None = None
        self._refreshing: dict[ServiceKey, asyncio.Task[dict[str, str]]] = {}
        self._generation = 0  # bumped by every invalidation (see ``_load``)

    # Settings

    async def values(self, key: ServiceKey) -> dict[str, str]:
        cached = self._values.get(key)
        if cached is None:
            return await self._load(key)
        if time.monotonic() - cached[0] >= CONFIG_TTL_SECONDS:
            # Expired settings serve once more while one task reads them again. A
            # request holding a database connection must never wait here for a second
            # one: with every pooled connection held by such requests, none would come
            # (``make bench`` saw sixteen requests stall 30 s, then fail, on one worker).
            self._refresh(key)
        return cached[1]

    async def _load(self, key: ServiceKey) -> dict[str, str]:
        generation = self._generation
        async with self.db.sessionmaker() as session:
            config = await service_config.load(session, self.settings, self.secret_box, key)
        values = service_config.values(config)
        # A read that began before an invalidation may hold the old settings: used for
        # this call, never cached over what the invalidation asked to be read afresh.
        if generation == self._generation:
            self._values[key] = (time.monotonic(), values)
        return values

    def _refresh(self, key: ServiceKey) -> None:
        if key in self._refreshing:
            return
        task = asyncio.create_task(self._load(key), name=f"service-settings-{key}")
        self._refreshing[key] = task

        def done(task: asyncio.Task[dict[str, str]]) -> None:
            self._refreshing.pop(key, None)
            if not task.cancelled() and task.exception() is not None:
                log.warning("re-reading %s settings failed: %s", key, task.exception())

        task.add_done_callback(done)

    def invalidate(self, key: ServiceKey | None = None) -> None:
        self.forget(key or "")
        if self.on_invalidate is not None:
            self.on_invalidate(key or "")

    def forget(self, key: str) -> None:
        """Drop one service's cached settings ("" = every service's), here only."""
        self._generation += 1
        for name in SERVICES if not key else [name for name in SERVICES if name == key]:
            self._values.pop(name, None)

    # Clients

    async def _client(self, key: ServiceKey) -> object | None:
        values = await self.values(key)
        cached = self._clients.get(key)
        return cached[1] if cached is not None and cached[0] == values else None

    async def lidarr(self) -> LidarrClient:
        client = await self._client("lidarr")
        if isinstance(client, LidarrClient):
            return client
        values = await self.values("lidarr")
        built = lidarr_client(values, self.http, self.settings)
        self._clients["lidarr"] = (values, built)
        return built

    async def navidrome(self, user: User | None = None) -> NavidromeClient:
        """Navidrome as ``user``'s own account when they linked one, else the shared one."""
        client = await self._client("navidrome")
        if not isinstance(client, NavidromeClient):
            values = await self.values("navidrome")
            client = navidrome_client(values, self.http, self.settings)
            self._clients["navidrome"] = (values, client)
        if user is not None and user.navidrome_username and user.navidrome_password_encrypted:
            password = self.secret_box.decrypt(user.navidrome_password_encrypted)
            return client.as_user(NavidromeCredentials(user.navidrome_username, password))
        return client

    async def ollama(self) -> OllamaClient:
        client = await self._client("ollama")
        if isinstance(client, OllamaClient):
            return client
        values = await self.values("ollama")
        built = ollama_client(values, self.settings)
        old = self._clients.get("ollama")
        self._clients["ollama"] = (values, built)
        if old is not None and isinstance(old[1], OllamaClient):
            await old[1].aclose()
        return built

    async def listenbrainz(self) -> ListenBrainzClient:
        """ListenBrainz without a user token (see ``ListenBrainzClient.with_token``)."""
        client = await self._client("listenbrainz")
        if isinstance(client, ListenBrainzClient):
            return client
        values = await self.values("listenbrainz")
        built = listenbrainz_client(values, self.http, self.settings)
        self._clients["listenbrainz"] = (values, built)
        return built

    async def lastfm(self) -> LastfmClient:
        client = await self._client("lastfm")
        if isinstance(client, LastfmClient):
            return client
        values = await self.values("lastfm")
        built = lastfm_client(values, self.http, self.settings)
        self._clients["lastfm"] = (values, built)
        return built

    # Health

    async def check(self, key: ServiceKey) -> ServiceHealth:
        try:
            report = await check_connection(key, await self.values(key), self.http, self.settings)
        except ServiceNotConfigured as error:
            health = ServiceHealth(status="down", detail=error.detail, configured=False)
        except AppError as error:
            health = ServiceHealth(status="down", detail=error.detail)
        else:
            health = ServiceHealth.from_report(report)
        self.health[key] = health
        return health

    async def check_all(self) -> dict[ServiceKey, ServiceHealth]:
        """Every core service, and the optional ones an admin has set up."""
        keys = [
            key
            for key, definition in SERVICES.items()
            if not definition.optional or await self.configured(key)
        ]
        results = await asyncio.gather(*(self.check(key) for key in keys))
        return dict(zip(keys, results, strict=True))

    def down(self) -> dict[ServiceKey, ServiceHealth]:
        """Configured services that failed their last check (the admin banner)."""
        return {k: h for k, h in self.health.items() if h.status == "down" and h.configured}

    async def configured(self, key: ServiceKey) -> bool:
        values = await self.values(key)
        return all(values.get(field) for field in SERVICES[key].required)

    async def _monitor_loop(self) -> None:
        while True:
            try:
                await self.check_all()
            except Exception:  # a monitor must outlive any one failure; it is logged
                log.exception("service health check failed")
            await asyncio.sleep(MONITOR_INTERVAL_SECONDS)

    def start_monitor(self) -> None:
        self._monitor = asyncio.create_task(self._monitor_loop(), name="service-monitor")

    async def aclose(self) -> None:
        await cancel_and_wait(self._monitor, *self._refreshing.values())
        for _, client in self._clients.values():
            if isinstance(client, OllamaClient):
                await client.aclose()
        self._clients.clear()
