"""The feed's live progress as a long poll: answered as soon as there is news.

While a run works, the page asks ``…/runs/{id}/live?after=N&wait=S`` again as soon
as each answer arrives (``hx-trigger="load"``). The request is held until the run
has stored a card after ``N`` or stopped running, or ``S`` seconds passed, so a card
reaches the page as soon as it is stored instead of at the next tick of a timer. A
card stored by this process wakes the waiters at once (``RunManager.listeners``); a
run working in another process is noticed by looking again every ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import service
from .models import RunStatus
from .runner import RunManager

RECHECK_SECONDS = 0.5
MAX_WAIT_SECONDS = 30


class CardSignal:
    """Wakes every waiter of this process when the process stores a card."""

    def __init__(self, manager: RunManager) -> None:
        self._stored = asyncio.Event()
        manager.listeners.append(self._card_stored)

    def _card_stored(self, card_id: int) -> None:
        self._stored.set()
        self._stored = asyncio.Event()  # the next waiters wait for the next card

    async def wait(self, seconds: float) -> None:
        """Until the next card stored here, at most ``seconds``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stored.wait()


def card_signal(app: FastAPI) -> CardSignal:
    signal: CardSignal | None = getattr(app.state, "recommendation_cards", None)
    if signal is None:
        signal = app.state.recommendation_cards = CardSignal(app.state.recommendations)
    return signal


async def wait_for_news(
    sessionmaker: async_sessionmaker[AsyncSession],
    signal: CardSignal,
    user_id: int,
    run_id: int,
    after: int,
    wait: float,
) -> None:
    """Until the run has a card after ``after`` or is over, at most ``wait`` seconds.

    Each look is a short session of its own, so no connection or transaction is held
    while waiting (SQLite's writer and PostgreSQL's pool are not kept from the run).
    """
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        async with sessionmaker() as db:
            run = await service.get_run(db, user_id, run_id)
            if run.status != RunStatus.RUNNING:
                return
            cards, _ = await service.list_recommendations(
                db, user_id, run_id=run_id, after_id=after, states=service.FEED_STATES, limit=1
            )
        if cards:
            return
        await signal.wait(min(RECHECK_SECONDS, left))
