"""Runs in the background: restarts leave no run "running" forever; schedules start runs."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import User
from tastemaker.db import utcnow
from tastemaker.recommendations.models import RecommendationRun, RunStatus
from tastemaker.recommendations.runner import RunScheduler
from tests.recommendations.conftest import RunToEnd


async def test_a_run_interrupted_by_a_restart_is_marked_and_can_be_run_again(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User, run_to_end: RunToEnd
) -> None:
    async with stack_app.state.db.sessionmaker() as db:
        orphan = RecommendationRun(
            user_id=listener.id, status=RunStatus.RUNNING, filtered_reasons={}
        )
        db.add(orphan)
        await db.commit()
        orphan_id = orphan.id

    assert await stack_app.state.recommendations.mark_interrupted() == 1  # what start-up does

    marked = (await stack_client.get(f"/api/recommendations/runs/{orphan_id}")).json()
    assert marked["status"] == "failed"
    assert marked["error"].startswith("Interrupted")
    again = await run_to_end()
    assert again["status"] == "completed"


async def test_the_scheduler_starts_runs_that_are_due_and_only_those(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User
) -> None:
    await stack_client.put("/api/settings/preferences", json={"refresh_schedule": "daily"})
    scheduler = RunScheduler(stack_app.state.recommendations)

    started = await scheduler.run_once()
    await stack_app.state.recommendations.wait(listener.id)
    not_yet = await scheduler.run_once()
    next_day = await scheduler.run_once(now=utcnow() + timedelta(days=1, minutes=1))
    await stack_app.state.recommendations.wait(listener.id)

    assert len(started) == 1
    assert not_yet == []
    assert len(next_day) == 1
    run = (await stack_client.get(f"/api/recommendations/runs/{started[0]}")).json()
    assert run["trigger"] == "scheduled"
    assert run["status"] == "completed"
