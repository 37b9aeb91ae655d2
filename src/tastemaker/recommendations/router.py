"""Recommendations over HTTP: the JSON API and the pages (feed, detail, run history).

Thin: the work is in ``service.py`` (reads and feedback) and ``runner.py`` (runs).
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Form, Query, Request, Response

from tastemaker.auth.deps import CurrentUser, DbSession
from tastemaker.errors import AppError, NotFound
from tastemaker.input_types import Offset, RowId
from tastemaker.integrations.lidarr.models import Album
from tastemaker.services.deps import Services
from tastemaker.web import is_boosted, is_htmx, pages

from . import live, service
from .matching import same_name
from .models import Recommendation, RecommendationState
from .pipeline import REASON_LABELS, describe_drops
from .presenting import ImageCache, present
from .profile import TasteProfile
from .runner import RunManager
from .schemas import FeedbackIn, RecommendationList, RecommendationOut, RunList, RunOut

api = APIRouter(prefix="/api/recommendations", tags=["recommendations"])
router = APIRouter(include_in_schema=False)
PROBLEM: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/problem+json": {}}} for status in (401, 404, 409, 422)
}
StateFilter = Annotated[
    list[RecommendationState] | None,
    Query(
        description="Only these states (repeatable); default: everything but dismissed and disliked"
    ),
]
FILTERS = {
    "all": tuple(service.FEED_STATES),
    "new": (RecommendationState.NEW,),
    "liked": (RecommendationState.LIKED,),
    "requested": (RecommendationState.REQUESTED,),
}
_images = ImageCache()


def manager(request: Request) -> RunManager:
    runs: RunManager = request.app.state.recommendations
    return runs


async def _run_out(db: DbSession, run_id: int, user_id: int) -> RunOut:
    run = await service.get_run(db, user_id, run_id)
    counts = await service.card_counts(db, [run.id])
    return RunOut.of(run, counts.get(run.id, 0))


# --- API ------------------------------------------------------------------------------


@api.get("", responses=PROBLEM, summary="The feed: your recommendations, newest run first")
async def list_recommendations(
    user: CurrentUser,
    db: DbSession,
    state: StateFilter = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecommendationList:
    cards, total = await service.list_recommendations(
        db, user.id, states=state or service.FEED_STATES, offset=offset, limit=limit
    )
    return RecommendationList(
        items=[RecommendationOut.of(c) for c in cards], total=total, offset=offset, limit=limit
    )


@api.post(
    "/runs",
    status_code=202,
    responses=PROBLEM,
    summary="Start a run in the background (or get the one already running)",
)
async def start_run(request: Request, user: CurrentUser, db: DbSession) -> RunOut:
    run_id, _ = await manager(request).start(user.id)
    return await _run_out(db, run_id, user.id)


@api.get("/runs", responses=PROBLEM, summary="Your runs, newest first")
async def list_runs(
    user: CurrentUser,
    db: DbSession,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RunList:
    runs, total = await service.list_runs(db, user.id, offset=offset, limit=limit)
    counts = await service.card_counts(db, [r.id for r in runs])
    return RunList(
        items=[RunOut.of(r, counts.get(r.id, 0)) for r in runs],
        total=total,
        offset=offset,
        limit=limit,
    )


@api.get("/runs/{run_id:int}", responses=PROBLEM, summary="One run and its progress")
async def get_run(run_id: RowId, user: CurrentUser, db: DbSession) -> RunOut:
    return await _run_out(db, run_id, user.id)


@api.get("/{card_id:int}", responses=PROBLEM, summary="One recommendation")
async def get_recommendation(card_id: RowId, user: CurrentUser, db: DbSession) -> RecommendationOut:
    return RecommendationOut.of(await service.get_recommendation(db, user.id, card_id))


@api.patch("/{card_id:int}", responses=PROBLEM, summary="Feedback: liked, disliked or dismissed")
async def give_feedback(
    card_id: RowId, body: FeedbackIn, user: CurrentUser, db: DbSession
) -> RecommendationOut:
    return RecommendationOut.of(await service.set_state(db, user.id, card_id, body.state))


# --- pages ----------------------------------------------------------------------------


async def _profile(request: Request, hub: Services, user: CurrentUser) -> TasteProfile | None:
    """The cached taste profile, for links into the library; None when Navidrome fails."""
    try:
        return await manager(request).profiles.get(user.id, await hub.navidrome(user))
    except AppError:
        return None


def _views(
    request: Request, cards: list[Recommendation], profile: TasteProfile | None
) -> list[Any]:
    url = pages(request).url
    return [present(card, profile, url) for card in cards]


async def _feed_context(
    request: Request, user: CurrentUser, db: DbSession, hub: Services, view: str
) -> dict[str, Any]:
    latest = await service.latest_run(db, user.id)
    states = FILTERS.get(view, FILTERS["all"])
    cards, total = await service.list_recommendations(db, user.id, states=states, limit=200)
    profile = await _profile(request, hub, user)
    latest_cards = [c for c in cards if latest is not None and c.run_id == latest.id]
    earlier = [c for c in cards if latest is None or c.run_id != latest.id]
    return {
        "view": view if view in FILTERS else "all",
        "latest": latest,
        "latest_cards": _views(request, latest_cards, profile),
        "earlier_cards": _views(request, earlier, profile),
        "last_card_id": max((c.id for c in latest_cards), default=0),
        "total": total,
        "ollama_configured": await hub.configured("ollama"),
        "reason_labels": REASON_LABELS,
        "describe_drops": describe_drops,
    }


@router.get("/recommendations")
async def feed_page(
    request: Request, user: CurrentUser, db: DbSession, hub: Services, view: str = "all"
) -> Response:
    context = await _feed_context(request, user, db, hub, view)
    return pages(request).render(
        request, "recommendations/feed.html", context, nav="recommendations"
    )


@router.post("/recommendations/runs")
async def start_run_page(
    request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    await manager(request).start(user.id)
    if not is_htmx(request) or is_boosted(request):
        return pages(request).redirect(request, "/recommendations")
    context = await _feed_context(request, user, db, hub, "all")
    return pages(request).render(request, "recommendations/_feed_body.html", context)


@router.get("/recommendations/runs/{run_id:int}/live")
async def run_live(
    run_id: RowId,
    request: Request,
    user: CurrentUser,
    db: DbSession,
    hub: Services,
    after: Annotated[int, Query(ge=0)] = 0,
    wait: Annotated[float, Query(ge=0, le=live.MAX_WAIT_SECONDS)] = 0,
) -> Response:
    """The progress line, plus the cards found since ``after`` (appended out of band).

    With ``wait``, a long poll: answered once there is news, at most ``wait`` s later.
    """
    if wait:
        await db.commit()  # the request's own connection goes back to the pool meanwhile
        signal = live.card_signal(request.app)
        sessions = request.app.state.db.sessionmaker
        await live.wait_for_news(sessions, signal, user.id, run_id, after, wait)
    run = await service.get_run(db, user.id, run_id)
    cards, _ = await service.list_recommendations(
        db, user.id, run_id=run_id, after_id=after, states=service.FEED_STATES, limit=100
    )
    profile = await _profile(request, hub, user) if cards else None
    context = {
        "latest": run,
        "new_cards": _views(request, cards, profile),
        "last_card_id": max([after, *(c.id for c in cards)]),
        "card_total": (await service.card_counts(db, [run_id])).get(run_id, 0),
        "describe_drops": describe_drops,
    }
    return pages(request).render(request, "recommendations/_live.html", context)


@router.get("/recommendations/runs")
async def runs_page(request: Request, user: CurrentUser, db: DbSession) -> Response:
    runs, total = await service.list_runs(db, user.id, limit=50)
    counts = await service.card_counts(db, [r.id for r in runs])
    context = {
        "runs": runs,
        "counts": counts,
        "total": total,
        "describe_drops": describe_drops,
        "running": manager(request).running_run_id(user.id),
    }
    return pages(request).render(
        request, "recommendations/runs.html", context, nav="recommendations"
    )


@router.post("/recommendations/{card_id:int}/feedback")
async def feedback_page(
    card_id: RowId,
    request: Request,
    user: CurrentUser,
    db: DbSession,
    hub: Services,
    state: Annotated[str, Form()],
) -> Response:
    body = FeedbackIn.model_validate({"state": state})
    card = await service.set_state(db, user.id, card_id, body.state)
    if not is_htmx(request) or is_boosted(request):
        back = (
            "/recommendations"
            if card.state == RecommendationState.DISMISSED
            else f"/recommendations/{card_id}"
        )
        return pages(request).redirect(request, back)
    if card.state == RecommendationState.DISMISSED:
        return Response(status_code=200)  # the card disappears
    profile = await _profile(request, hub, user)
    context = {"view": present(card, profile, pages(request).url)}
    return pages(request).render(request, "recommendations/_card.html", context)


@router.get("/recommendations/{card_id:int}")
async def detail_page(
    card_id: RowId, request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    card = await service.get_recommendation(db, user.id, card_id)
    profile = await _profile(request, hub, user)
    albums: list[Album] = []
    lookup_error: str | None = None
    try:
        lidarr = await hub.lidarr()
        found = await lidarr.lookup_albums(card.artist_name)
        albums = [
            a
            for a in found
            if a.foreign_album_id
            and a.artist is not None
            and a.artist.foreign_artist_id == card.artist_mbid
        ]
        if not albums:
            # Lidarr's album search is by title; the artist's own lookup lists none, so
            # fall back to a name match only when the MusicBrainz id is missing there.
            albums = [
                a
                for a in found
                if a.artist and same_name(a.artist.artist_name or "", card.artist_name)
            ]
        albums.sort(key=lambda a: a.release_date.timestamp() if a.release_date else 0, reverse=True)
    except AppError as error:
        lookup_error = error.detail
    context = {
        "view": present(card, profile, pages(request).url),
        "albums": albums,
        "lookup_error": lookup_error,
        "overview": (card.lookup.get("artist") or {}).get("overview"),
    }
    return pages(request).render(
        request, "recommendations/detail.html", context, nav="recommendations"
    )


@router.get("/recommendations/{card_id:int}/image")
async def card_image(
    card_id: RowId, request: Request, user: CurrentUser, db: DbSession
) -> Response:
    """The card's cover or artist image, fetched once and kept in memory."""
    card = await service.get_recommendation(db, user.id, card_id)
    if not card.image_url or not card.image_url.startswith(("http://", "https://")):
        raise NotFound("This recommendation has no image")
    cached = _images.get(card.image_url)
    if cached is None:
        http: httpx.AsyncClient = request.app.state.http
        with contextlib.suppress(httpx.HTTPError):
            answer = await http.get(card.image_url, timeout=10.0)
            kind = answer.headers.get("content-type", "")
            if (
                answer.status_code == 200
                and kind.startswith("image/")
                and len(answer.content) < 4_000_000
            ):
                cached = (answer.content, kind)
                _images.put(card.image_url, *cached)
    if cached is None:
        raise NotFound("The image could not be fetched")
    return Response(
        cached[0], media_type=cached[1], headers={"Cache-Control": "private, max-age=86400"}
    )
