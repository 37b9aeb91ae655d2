"""The simulated Lidarr as an ASGI app: ``create_app(config, on_import=...)``.

Routes mirror Lidarr API v1 for what Tastemaker uses, with Lidarr's real status codes
(201 for creates, 202 for ``PUT /album/monitor``, 401 with an empty body for a bad
key). A background loop advances searches and downloads with the wall clock, sends
webhooks and hands imported albums to ``on_import``. ``/_sim/faults`` makes it
misbehave for fault tests; ``/_sim`` needs no key and does not exist in Lidarr.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tastemaker.simulators import catalogue
from tastemaker.simulators.faults import Faults, Voice, add_fault_routes, misbehave

from . import catalog_search, profiles
from .config import LidarrSimConfig, OnImport
from .resources import (
    JSON,
    album_resource,
    artist_resource,
    command_resource,
    history_resource,
    queue_resource,
)
from .state import ACTIVE_COMMANDS, RejectedError, SimState
from .webhooks import WebhookSender, test_payload

log = logging.getLogger(__name__)
API = "/api/v1"
COMMANDS = ("AlbumSearch", "ArtistSearch", "MissingAlbumSearch", "RefreshArtist", "RefreshAlbum")


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _not_found(what: str) -> JSONResponse:
    return _json({"message": f"{what} not found"}, 404)


def _rejected(error: RejectedError) -> JSONResponse:
    item = {
        "propertyName": error.prop,
        "errorMessage": error.message,
        "attemptedValue": error.attempted,
        "severity": "error",
        "errorCode": "PredicateValidator",
    }
    return _json([item], 400)


def _bool(request: Request, name: str, default: bool = False) -> bool:
    value = request.query_params.get(name)
    return default if value is None else value.lower() == "true"


def _ints(request: Request, name: str) -> list[int]:
    return [int(v) for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


def _key_ok(request: Request, api_key: str) -> bool:
    # Lidarr's ApiKeyAuthenticationHandler: ?apikey=, then X-Api-Key, then Bearer.
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    offered = request.query_params.get("apikey") or request.headers.get("x-api-key") or bearer
    return offered == api_key


def _failure(status: int) -> Response:
    message = "Simulated failure: the database is locked"
    return _json({"message": message, "description": message}, status)


# How Lidarr's failures look (see simulators/faults.py).
LIDARR_VOICE = Voice(
    error=_failure,
    wrong_shape=lambda: _json({"unexpected": "shape", "records": "none"}),
    truncated=b'[{"id": 1, "artistNa',
)


def create_app(
    config: LidarrSimConfig | None = None, *, on_import: OnImport | None = None
) -> FastAPI:
    """Build one simulated Lidarr with its own state. Serve it with ``runner``."""
    cfg = config or LidarrSimConfig()
    state = SimState(cfg)

    async def deliver_imports(albums: list[catalogue.Album]) -> None:
        for album in albums:
            if on_import is None:
                continue
            try:
                await on_import(album)
            except Exception:  # a broken callback must not stop the simulator
                log.exception("on_import failed for %s", album.title)

    async def tick(sender: WebhookSender) -> None:
        while True:
            state.advance(time.monotonic())
            imported, state.imported = state.imported, []
            await deliver_imports(imported)  # the files first, as Lidarr moves them first
            state.record_imports()
            events, state.events = state.events, []
            for flag, payload in events:
                sender.publish(list(state.notifications.values()), flag, payload)
            await asyncio.sleep(cfg.tick_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as http:
            sender = WebhookSender(http)
            app.state.sender = sender
            sender.start()
            ticker = asyncio.create_task(tick(sender))
            try:
                yield
            finally:
                ticker.cancel()
                await asyncio.gather(ticker, return_exceptions=True)
                await sender.stop()

    app = FastAPI(title="Lidarr simulator", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.sim = state

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        if not path.startswith("/api"):
            return await call_next(request)
        if not _key_ok(request, cfg.api_key):
            return Response(status_code=401)
        response = await misbehave(
            cfg.faults, LIDARR_VOICE, request.method, lambda: call_next(request)
        )
        response.headers["X-Application-Version"] = cfg.version
        return response

    def lib_artist_json(artist_id: int) -> JSON:
        artist = state.artists[artist_id]
        albums = [a for a in state.visible_albums(time.monotonic()) if a.artist_id == artist_id]
        return artist_resource(artist.source, artist, albums)

    def lib_album_json(album_id: int, with_artist: bool = True) -> JSON:
        album = state.albums[album_id]
        artist = lib_artist_json(album.artist_id) if with_artist else None
        return album_resource(album.source, album, artist=artist)

    # -- system --------------------------------------------------------------------

    @app.get("/ping")
    async def ping() -> JSONResponse:
        return _json({"status": "OK"})

    @app.get(f"{API}/system/status")
    async def system_status() -> JSONResponse:
        return _json(profiles.system_status(cfg, state.started))

    @app.get(f"{API}/rootfolder")
    async def root_folders() -> JSONResponse:
        return _json(profiles.root_folders(cfg))

    @app.get(f"{API}/qualityprofile")
    async def quality_profiles() -> JSONResponse:
        return _json(profiles.QUALITY_PROFILES)

    @app.get(f"{API}/metadataprofile")
    async def metadata_profiles() -> JSONResponse:
        return _json(profiles.METADATA_PROFILES)

    # -- lookup --------------------------------------------------------------------

    @app.get(f"{API}/artist/lookup")
    async def artist_lookup(term: str = "") -> JSONResponse:
        found = []
        for artist in catalog_search.find_artists(term):
            lib = state.artist_by_mbid(artist.mbid)
            found.append(lib_artist_json(lib.id) if lib else artist_resource(artist))
        return _json(found)

    @app.get(f"{API}/album/lookup")
    async def album_lookup(term: str = "") -> JSONResponse:
        found = []
        for album in catalog_search.find_albums(term):
            lib = state.album_by_mbid(album.mbid)
            if lib:
                found.append(lib_album_json(lib.id))
            else:
                owner = catalogue.artist_by_mbid(album.artist_mbid)
                artist = artist_resource(owner) if owner else None
                found.append(album_resource(album, artist=artist))
        return _json(found)

    # -- library -------------------------------------------------------------------

    @app.get(f"{API}/artist")
    async def list_artists(mbId: str | None = None) -> JSONResponse:  # noqa: N803
        ids = [a.id for a in state.artists.values() if mbId is None or a.source.mbid == mbId]
        return _json([lib_artist_json(i) for i in ids])

    @app.get(API + "/artist/{artist_id}")
    async def get_artist(artist_id: int) -> JSONResponse:
        if artist_id not in state.artists:
            return _not_found("Artist")
        return _json(lib_artist_json(artist_id))

    @app.post(f"{API}/artist")
    async def add_artist(request: Request) -> JSONResponse:
        try:
            artist = state.add_artist(await request.json(), time.monotonic())
        except RejectedError as error:
            return _rejected(error)
        return _json(lib_artist_json(artist.id), 201)

    @app.get(f"{API}/album")
    async def list_albums(request: Request) -> JSONResponse:
        artist_id = request.query_params.get("artistId")
        ids = set(_ints(request, "albumIds"))
        foreign = request.query_params.get("foreignAlbumId")
        albums = [
            album
            for album in state.visible_albums(time.monotonic())
            if (artist_id is None or album.artist_id == int(artist_id))
            and (not ids or album.id in ids)
            and (foreign is None or album.source.mbid == foreign)
        ]
        return _json([lib_album_json(album.id) for album in albums])

    @app.get(API + "/album/{album_id}")
    async def get_album(album_id: int) -> JSONResponse:
        if album_id not in state.albums:
            return _not_found("Album")
        return _json(lib_album_json(album_id))

    @app.put(f"{API}/album/monitor")
    async def monitor_albums(request: Request) -> JSONResponse:
        body = await request.json()
        changed = state.set_monitored(list(body.get("albumIds") or []), bool(body.get("monitored")))
        return _json([lib_album_json(album.id) for album in changed], 202)

    # -- commands ------------------------------------------------------------------

    @app.post(f"{API}/command")
    async def post_command(request: Request) -> JSONResponse:
        body: JSON = await request.json()
        wanted = str(body.get("name") or "").lower()
        name = next((c for c in COMMANDS if c.lower() == wanted), None)
        if name is None:
            return _json({"message": f"Unknown command: {body.get('name')}"}, 500)
        fields = {k: v for k, v in body.items() if k != "name"}
        command = state.queue_command(name, fields, time.monotonic())
        return _json(command_resource(command), 201)

    @app.get(f"{API}/command")
    async def list_commands() -> JSONResponse:
        active = [c for c in state.commands.values() if c.status in ACTIVE_COMMANDS]
        return _json([command_resource(c) for c in active])

    @app.get(API + "/command/{command_id}")
    async def get_command(command_id: int) -> JSONResponse:
        command = state.commands.get(command_id)
        return _json(command_resource(command)) if command else _not_found("Command")

    # -- queue and history -----------------------------------------------------------

    @app.get(f"{API}/queue")
    async def queue(request: Request) -> JSONResponse:
        now = time.monotonic()
        page = int(request.query_params.get("page", 1))
        size = int(request.query_params.get("pageSize", 10))
        artist_ids = set(_ints(request, "artistIds"))
        direction = request.query_params.get("sortDirection", "descending")
        rows = [d for d in state.downloads.values() if not artist_ids or d.artist_id in artist_ids]
        rows.sort(key=lambda d: d.seconds_left(now), reverse=direction != "ascending")
        with_artist, with_album = _bool(request, "includeArtist"), _bool(request, "includeAlbum")
        records = [
            queue_resource(
                d,
                now,
                artist=lib_artist_json(d.artist_id) if with_artist else None,
                album=lib_album_json(d.album_id, with_artist=False) if with_album else None,
            )
            for d in rows[(page - 1) * size : page * size]
        ]
        return _json(
            {
                "page": page,
                "pageSize": size,
                "sortKey": request.query_params.get("sortKey", "timeleft"),
                "sortDirection": direction,
                "totalRecords": len(rows),
                "records": records,
            }
        )

    @app.delete(API + "/queue/{queue_id}")
    async def delete_queue(queue_id: int, request: Request) -> Response:
        download = state.downloads.pop(queue_id, None)
        if download is None:
            return _not_found("Queue item")
        if _bool(request, "blocklist"):
            state.fail_download(download, "Manually marked as failed")
        return Response(status_code=200)

    def history_json(rows: list[Any], request: Request) -> list[JSON]:
        with_artist, with_album = _bool(request, "includeArtist"), _bool(request, "includeAlbum")
        return [
            history_resource(
                row,
                artist=lib_artist_json(row.artist_id) if with_artist else None,
                album=lib_album_json(row.album_id, with_artist=False) if with_album else None,
            )
            for row in rows
        ]

    @app.get(f"{API}/history/since")
    async def history_since(request: Request) -> JSONResponse:
        raw = request.query_params.get("date") or "0001-01-01T00:00:00Z"
        since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        rows = state.history_since(since, request.query_params.get("eventType"))
        return _json(history_json(rows, request))

    @app.get(f"{API}/history")
    async def history(request: Request) -> JSONResponse:
        page = int(request.query_params.get("page", 1))
        size = int(request.query_params.get("pageSize", 10))
        rows = list(reversed(state.history))  # newest first
        body = {"page": page, "pageSize": size, "sortKey": "date", "sortDirection": "descending"}
        body["totalRecords"] = len(rows)
        body["records"] = history_json(rows[(page - 1) * size : page * size], request)
        return _json(body)

    # -- notifications -------------------------------------------------------------

    @app.get(f"{API}/notification")
    async def notifications() -> JSONResponse:
        return _json([profiles.masked(n) for n in state.notifications.values()])

    @app.post(f"{API}/notification")
    async def add_notification(request: Request) -> JSONResponse:
        resource = profiles.notification(await request.json(), state.next_id("notification"))
        state.notifications[resource["id"]] = resource
        return _json(profiles.masked(resource), 201)

    @app.get(API + "/notification/{notification_id}")
    async def get_notification(notification_id: int) -> JSONResponse:
        found = state.notifications.get(notification_id)
        return _json(profiles.masked(found)) if found else _not_found("Notification")

    @app.delete(API + "/notification/{notification_id}")
    async def delete_notification(notification_id: int) -> Response:
        if state.notifications.pop(notification_id, None) is None:
            return _not_found("Notification")
        return Response(status_code=200)

    @app.post(f"{API}/notification/test")
    async def test_notification(request: Request) -> Response:
        resource = profiles.notification(await request.json(), 0)
        try:
            await app.state.sender.send(resource, test_payload(state))
        except httpx.HTTPError as exc:
            message = f"Unable to send test message: {exc}"
            return _rejected(RejectedError("Url", message, None))
        return Response(status_code=200)

    # -- simulator control (not part of Lidarr) ------------------------------------

    def set_faults(faults: Faults) -> None:
        cfg.faults = faults

    add_fault_routes(app, lambda: cfg.faults, set_faults)
    return app
