"""Reading the feed and runs, and recording the user's feedback. Knows no HTTP.

Every query is scoped to one user: another user's card or run is simply not found.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.errors import Conflict, NotFound

from .models import Recommendation, RecommendationRun, RecommendationState

FEED_STATES = (RecommendationState.NEW, RecommendationState.LIKED, RecommendationState.REQUESTED)


async def list_recommendations(
    db: AsyncSession,
    user_id: int,
    *,
    states: Sequence[str] | None = None,
    run_id: int | None = None,
    after_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Recommendation], int]:
    """Newest run first, and within a run in the order the cards were found."""
    query = select(Recommendation).where(Recommendation.user_id == user_id)
    if states:
        query = query.where(Recommendation.state.in_(list(states)))
    if run_id is not None:
        query = query.where(Recommendation.run_id == run_id)
    if after_id is not None:
        query = query.where(Recommendation.id > after_id)
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await db.scalars(
        query.order_by(Recommendation.run_id.desc(), Recommendation.id).offset(offset).limit(limit)
    )
    return list(rows), total


async def get_recommendation(db: AsyncSession, user_id: int, card_id: int) -> Recommendation:
    card = await db.get(Recommendation, card_id)
    if card is None or card.user_id != user_id:
        raise NotFound("There is no such recommendation")
    return card


async def set_state(db: AsyncSession, user_id: int, card_id: int, state: str) -> Recommendation:
    """Like, dislike or dismiss a card. Dismissed and disliked artists never come back."""
    card = await get_recommendation(db, user_id, card_id)
    if card.state == RecommendationState.REQUESTED and state != RecommendationState.LIKED:
        raise Conflict("This recommendation has been requested already")
    card.state = RecommendationState(state)
    await db.commit()
    await db.refresh(card)
    return card


async def get_run(db: AsyncSession, user_id: int, run_id: int) -> RecommendationRun:
    run = await db.get(RecommendationRun, run_id)
    if run is None or run.user_id != user_id:
        raise NotFound("There is no such run")
    return run


async def card_counts(db: AsyncSession, run_ids: Sequence[int]) -> dict[int, int]:
    if not run_ids:
        return {}
    rows = await db.execute(
        select(Recommendation.run_id, func.count())
        .where(Recommendation.run_id.in_(list(run_ids)))
        .group_by(Recommendation.run_id)
    )
    return {int(run_id): int(count) for run_id, count in rows}


async def list_runs(
    db: AsyncSession, user_id: int, *, offset: int = 0, limit: int = 20
) -> tuple[list[RecommendationRun], int]:
    query = select(RecommendationRun).where(RecommendationRun.user_id == user_id)
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await db.scalars(
        query.order_by(RecommendationRun.started_at.desc(), RecommendationRun.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total


async def latest_run(db: AsyncSession, user_id: int) -> RecommendationRun | None:
    runs, _ = await list_runs(db, user_id, limit=1)
    return runs[0] if runs else None
