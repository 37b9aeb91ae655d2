"""Exactly one process does the background work; another takes over when it dies."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from tastemaker.leadership import Job, Leadership


async def test_one_leader_at_a_time_and_a_quick_takeover(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process: it always leads (see the next test)")
    running: list[str] = []

    def work(name: str) -> Job:
        async def run() -> None:
            running.append(name)
            try:
                await asyncio.Event().wait()
            finally:
                running.remove(name)

        return run

    first_engine, second_engine = (
        create_async_engine(database_url),
        create_async_engine(database_url),
    )
    first = Leadership(first_engine, work("first"), retry_seconds=0.2)
    second = Leadership(second_engine, work("second"), retry_seconds=0.2)
    try:
        first.start()
        await asyncio.wait_for(first.is_leader.wait(), 5)
        second.start()
        await asyncio.sleep(1.0)  # several of the second's attempts
        assert running == ["first"]
        assert not second.is_leader.is_set()

        await first.stop()  # the leader goes away (its lock connection closes)
        await asyncio.wait_for(second.is_leader.wait(), 10)
        await asyncio.sleep(0.1)
        assert running == ["second"]
    finally:
        await first.stop()
        await second.stop()
        await first_engine.dispose()
        await second_engine.dispose()


async def test_on_sqlite_the_only_process_leads(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL elects (see the previous test)")
    started = asyncio.Event()

    async def run() -> None:
        started.set()
        await asyncio.Event().wait()

    engine = create_async_engine(database_url)
    leadership = Leadership(engine, run)
    leadership.start()
    await asyncio.wait_for(started.wait(), 5)
    assert leadership.is_leader.is_set()
    await leadership.stop()
    await engine.dispose()
