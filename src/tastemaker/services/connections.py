"""Build each service's client from its settings, and test a connection.

A test reports the service's version and how long it took to answer, plus the
choices that must come from the service itself (Lidarr's root folders and
profiles, Ollama's installed models), so admins pick instead of typing ids.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from tastemaker.errors import ServiceError, ServiceNotConfigured
from tastemaker.integrations.lastfm import LastfmClient
from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.integrations.listenbrainz import ListenBrainzClient
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.integrations.ollama import OllamaClient
from tastemaker.services.definitions import SERVICES, ServiceKey
from tastemaker.settings import Settings

Choice = tuple[str, str]  # (value, label)


@dataclass
class ConnectionReport:
    service: ServiceKey
    version: str
    latency_ms: int
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _require(service: ServiceKey, values: dict[str, str], *keys: str) -> None:
    missing = [key for key in keys if not values.get(key)]
    if missing:
        title = SERVICES[service].title
        raise ServiceNotConfigured(
            service,
            f"{title} is not configured: set {', '.join(missing)} in Settings → Services",
        )


def lidarr_client(
    values: dict[str, str], http: httpx.AsyncClient, settings: Settings
) -> LidarrClient:
    _require("lidarr", values, "url", "api_key")
    return LidarrClient(
        values["url"], values["api_key"], http=http, timeout=settings.service_timeout_seconds
    )


def navidrome_client(
    values: dict[str, str], http: httpx.AsyncClient, settings: Settings
) -> NavidromeClient:
    _require("navidrome", values, "url", "username", "password")
    auth = values.get("auth") or "auto"
    return NavidromeClient(
        http,
        values["url"],
        NavidromeCredentials(values["username"], values["password"]),
        auth=auth,  # type: ignore[arg-type]  # validated against the field's choices
        timeout=settings.service_timeout_seconds,
    )


def ollama_client(values: dict[str, str], settings: Settings) -> OllamaClient:
    _require("ollama", values, "url")
    return OllamaClient(
        values["url"], values.get("model", ""), timeout=settings.ollama_timeout_seconds
    )


def listenbrainz_client(
    values: dict[str, str], http: httpx.AsyncClient, settings: Settings
) -> ListenBrainzClient:
    _require("listenbrainz", values, "url")
    return ListenBrainzClient(
        values["url"],
        http=http,
        labs_url=values.get("labs_url") or None,
        timeout=settings.service_timeout_seconds,
    )


def lastfm_client(
    values: dict[str, str], http: httpx.AsyncClient, settings: Settings
) -> LastfmClient:
    _require("lastfm", values, "url", "api_key")
    return LastfmClient(
        values["url"], values["api_key"], http=http, timeout=settings.service_timeout_seconds
    )


async def _check_listenbrainz(
    values: dict[str, str], http: httpx.AsyncClient, settings: Settings, started: float
) -> ConnectionReport:
    """The token check answers anyone (200 even for a made-up token): it proves the API is
    there; an unknown seed's similar artists ([]) proves Labs is there and takes the algorithm."""
    listenbrainz = listenbrainz_client(values, http, settings)
    await listenbrainz.validate_token("tastemaker-connection-test")
    latency = time.perf_counter() - started
    report = ConnectionReport("listenbrainz", "ListenBrainz API v1", int(latency * 1000))
    try:
        await listenbrainz.similar_artists(["00000000-0000-0000-0000-000000000000"])
    except ServiceError as error:
        report.warnings.append(f"Similar artists (Labs) unavailable: {error.detail}")
    return report


async def check_connection(
    service: ServiceKey, values: dict[str, str], http: httpx.AsyncClient, settings: Settings
) -> ConnectionReport:
    """Raise the service's clear error, or report its version, latency and choices."""
    started = time.perf_counter()
    if service == "lidarr":
        lidarr = lidarr_client(values, http, settings)
        status = await lidarr.system_status()
        latency = time.perf_counter() - started
        folders = await lidarr.root_folders()
        qualities = await lidarr.quality_profiles()
        metadata = await lidarr.metadata_profiles()
        report = ConnectionReport(service, status.version or "unknown", int(latency * 1000))
        report.choices = {
            "root_folder": [(f.path or "", f.path or "") for f in folders if f.path],
            "quality_profile_id": [(str(p.id), p.name or str(p.id)) for p in qualities],
            "metadata_profile_id": [(str(p.id), p.name or str(p.id)) for p in metadata],
        }
        if not folders:
            report.warnings.append(
                "Lidarr has no root folder: add one in Lidarr → Settings → Media Management"
            )
        return report
    if service == "listenbrainz":
        return await _check_listenbrainz(values, http, settings, started)
    if service == "lastfm":
        await lastfm_client(values, http, settings).check_key()
        latency = time.perf_counter() - started
        return ConnectionReport(service, "Last.fm API 2.0", int(latency * 1000))
    if service == "navidrome":
        info = await navidrome_client(values, http, settings).ping()
        latency = time.perf_counter() - started
        version = info.server_version or info.version
        label = f"{info.type} {version}" if info.type else f"Subsonic API {info.version}"
        return ConnectionReport(service, label, int(latency * 1000))
    async with ollama_client(values, settings) as ollama:
        version_info = await ollama.version()
        latency = time.perf_counter() - started
        models = await ollama.list_models()
    report = ConnectionReport(service, version_info.version, int(latency * 1000))
    report.choices = {"model": [(m.name, m.name) for m in models]}
    chosen = values.get("model")
    if (
        chosen
        and chosen not in {m.name for m in models}
        and f"{chosen}:latest" not in {m.name for m in models}
    ):
        report.warnings.append(
            f"model {chosen} is not pulled on the Ollama server (run `ollama pull {chosen}`)"
        )
    if not chosen:
        report.warnings.append("No model is chosen yet")
    return report
