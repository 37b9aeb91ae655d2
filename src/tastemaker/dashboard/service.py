"""What the dashboard counts: the user's open download requests and new recommendations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth.models import User
from tastemaker.downloads.models import OPEN_STATUSES, DownloadRequest
from tastemaker.recommendations.models import Recommendation, RecommendationState


@dataclass(frozen=True)
class Activity:
    open_requests: int
    new_recommendations: int


async def activity(db: AsyncSession, user: User) -> Activity:
    open_requests = await db.scalar(
        select(func.count())
        .select_from(DownloadRequest)
        .where(DownloadRequest.user_id == user.id, DownloadRequest.status.in_(OPEN_STATUSES))
    )
    new_recommendations = await db.scalar(
        select(func.count())
        .select_from(Recommendation)
        .where(Recommendation.user_id == user.id, Recommendation.state == RecommendationState.NEW)
    )
    return Activity(open_requests or 0, new_recommendations or 0)
