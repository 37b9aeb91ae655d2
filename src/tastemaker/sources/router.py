"""HTTP for listening sources: the profile page's forms and ``/api/settings/sources``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from pydantic import BaseModel, Field

from tastemaker.auth.deps import CurrentPrincipal, CurrentUser, DbSession
from tastemaker.errors import AppError, NotFound
from tastemaker.input_types import VISIBLE
from tastemaker.services.deps import Services
from tastemaker.users.router import _render_profile  # the page this section lives on
from tastemaker.web import pages

from . import service
from .models import SOURCE_TITLES, ListeningSource, SourceKind

api = APIRouter(prefix="/api/settings/sources", tags=["settings"])
router = APIRouter(include_in_schema=False)
PROBLEM: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/problem+json": {}}}
    for status in (401, 403, 404, 422, 502, 503, 504)
}
Kind = Annotated[SourceKind, Path(description="listenbrainz or lastfm")]


class SourceOut(BaseModel):
    kind: SourceKind
    title: str
    available: bool = Field(description="an admin has set this service up")
    connected: bool
    username: str | None = None
    has_token: bool = Field(False, description="a ListenBrainz token is stored (never sent back)")
    last_used_at: datetime | None = None
    last_error: str | None = None


class SourcesOut(BaseModel):
    items: list[SourceOut]


class SourceIn(BaseModel):
    username: str = Field(
        min_length=1,
        max_length=128,
        pattern=VISIBLE,
        description="your user name there (with a ListenBrainz token, the token's user wins)",
    )
    token: str = Field("", max_length=256, description="ListenBrainz only; optional")


def _out(view: service.SourceView) -> SourceOut:
    link: ListeningSource | None = view.link
    return SourceOut(
        kind=view.kind,
        title=view.title,
        available=view.available,
        connected=link is not None,
        username=link.username if link else None,
        has_token=bool(link and link.token_encrypted),
        last_used_at=link.last_used_at if link else None,
        last_error=link.last_error if link else None,
    )


async def _connect(
    request: Request, hub: Services, db: DbSession, user: Any, kind: SourceKind, body: SourceIn
) -> None:
    if kind == SourceKind.LISTENBRAINZ:
        await service.connect_listenbrainz(
            db, hub, request.app.state.secret_box, user, body.username, body.token
        )
    else:
        await service.connect_lastfm(db, hub, user, body.username)


@api.get("", responses=PROBLEM, summary="Your listening sources (tokens are never sent back)")
async def list_sources(user: CurrentUser, hub: Services, db: DbSession) -> SourcesOut:
    return SourcesOut(items=[_out(v) for v in await service.profile_views(db, hub, user)])


@api.put(
    "/{kind}",
    responses=PROBLEM,
    summary="Connect a listening source; the name (or token) is checked with the service first",
)
async def put_source(
    kind: Kind, body: SourceIn, request: Request, user: CurrentUser, hub: Services, db: DbSession
) -> SourcesOut:
    await _connect(request, hub, db, user, kind, body)
    return await list_sources(user, hub, db)


@api.delete("/{kind}", responses=PROBLEM, summary="Disconnect a listening source")
async def delete_source(kind: Kind, user: CurrentUser, db: DbSession) -> Response:
    if not await service.disconnect(db, user, kind):
        raise NotFound(f"{SOURCE_TITLES[kind]} is not connected")
    return Response(status_code=204)


# Pages: the profile's "Listening sources" section posts here.


@router.post("/settings/profile/sources/{kind}")
async def connect_page(
    kind: Kind,
    request: Request,
    principal: CurrentPrincipal,
    hub: Services,
    db: DbSession,
    username: Annotated[str, Form(max_length=128)] = "",
    token: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        # The form may leave the name empty when it gives a ListenBrainz token.
        body = SourceIn.model_construct(username=username, token=token)
        await _connect(request, hub, db, principal.user, kind, body)
    except AppError as error:
        return await _render_profile(
            request,
            principal,
            db,
            {"source_error": {kind.value: error.detail}, "source_value": {kind.value: username}},
            status_code=422,
        )
    return pages(request).redirect(
        request,
        "/settings/profile#sources",
        flash=("success", f"{SOURCE_TITLES[kind]} connected: your next recommendations use it."),
    )


@router.post("/settings/profile/sources/{kind}/disconnect")
async def disconnect_page(
    kind: Kind, request: Request, principal: CurrentPrincipal, db: DbSession
) -> Response:
    await service.disconnect(db, principal.user, kind)
    return pages(request).redirect(
        request,
        "/settings/profile#sources",
        flash=("success", f"{SOURCE_TITLES[kind]} disconnected."),
    )
