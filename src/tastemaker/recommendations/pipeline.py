"""One recommendation run, start to finish: profile → prompt → model → ground → filter → store.

The model's answer is streamed; each complete item is validated, grounded through
Lidarr and filtered as soon as its closing brace arrives, and a card that survives
is committed at once, so a page polling the run shows it while the model is still
writing. When a round leaves too few cards, another round asks for the rest (at
most ``MAX_ROUNDS``); a round that yields no valid item at all is retried once
with a stricter instruction. Every dropped item is counted under its reason in the
run's ``filtered_reasons``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tastemaker.db import utcnow
from tastemaker.downloads.models import DownloadRequest
from tastemaker.errors import AppError
from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.integrations.ollama import OllamaClient
from tastemaker.preferences.models import UserPreferences
from tastemaker.sources.gather import Candidate, Listening

from .grounding import Grounded, Grounder, Unresolved
from .matching import normalise_name
from .models import Recommendation, RecommendationRun, RecommendationState, RunStatus
from .profile import TasteProfile
from .prompt import MAX_CANDIDATES, Feedback, build_messages
from .proposals import ItemScanner, ProposedItem, response_schema, validate_item

log = logging.getLogger(__name__)

MAX_ROUNDS = 3
# Ask for a few more than needed: some proposals are always dropped.
EXTRA_ASKED = 4
SHOWN_STATES = (RecommendationState.NEW, RecommendationState.LIKED, RecommendationState.REQUESTED)


@dataclass
class Exclusions:
    """Everything a card must not be, read once per run."""

    profile: TasteProfile
    requested_mbids: set[str] = field(default_factory=set)
    rejected_mbids: dict[str, str] = field(default_factory=dict)  # mbid → disliked|dismissed
    rejected_names: dict[str, str] = field(default_factory=dict)  # normalised → state
    shown_mbids: set[str] = field(default_factory=set)
    excluded_names: set[str] = field(default_factory=set)
    excluded_genres: set[str] = field(default_factory=set)
    run_names: set[str] = field(default_factory=set)
    run_mbids: set[str] = field(default_factory=set)

    def before_lookup(self, item: ProposedItem) -> str | None:
        """A reason to drop by name alone (saves a Lidarr lookup)."""
        key = normalise_name(item.artist)
        if key in self.run_names:
            return "duplicate"
        if key in self.excluded_names:
            return "excluded"
        if key in self.rejected_names:
            return self.rejected_names[key]
        if self.profile.owned.find(item.artist) is not None:
            return "owned"
        return None

    def after_lookup(self, grounded: Grounded) -> str | None:
        mbid = grounded.artist_mbid.lower()
        name = grounded.artist.artist_name or ""
        if mbid in self.run_mbids:
            return "duplicate"
        if self.profile.owned.find(name, mbid) is not None:
            return "owned"
        if mbid in self.requested_mbids or (
            grounded.album
            and (grounded.album.foreign_album_id or "").lower() in self.requested_mbids
        ):
            return "requested"
        if mbid in self.rejected_mbids:
            return self.rejected_mbids[mbid]
        if normalise_name(name) in self.excluded_names:
            return "excluded"
        if {genre.casefold() for genre in grounded.genres} & self.excluded_genres:
            return "excluded_genre"
        if mbid in self.shown_mbids:
            return "already_shown"
        return None

    def remember(self, item: ProposedItem, grounded: Grounded) -> None:
        self.run_names.add(normalise_name(item.artist))
        self.run_names.add(normalise_name(grounded.artist.artist_name or ""))
        self.run_mbids.add(grounded.artist_mbid.lower())


async def load_exclusions(
    db: AsyncSession, user_id: int, prefs: UserPreferences, profile: TasteProfile
) -> tuple[Exclusions, Feedback]:
    exclusions = Exclusions(profile=profile)
    exclusions.excluded_names = {normalise_name(n) for n in prefs.excluded_artists}
    exclusions.excluded_genres = {g.casefold() for g in prefs.excluded_genres}
    requests = await db.execute(
        select(DownloadRequest.artist_mbid, DownloadRequest.album_mbid).where(
            DownloadRequest.user_id == user_id
        )
    )
    for artist_mbid, album_mbid in requests:
        if album_mbid:
            exclusions.requested_mbids.add(album_mbid.lower())
        else:
            exclusions.requested_mbids.add(artist_mbid.lower())
    past = await db.execute(
        select(Recommendation.artist_name, Recommendation.artist_mbid, Recommendation.state)
        .where(Recommendation.user_id == user_id)
        .order_by(Recommendation.updated_at.desc())
    )
    feedback = Feedback()
    for name, mbid, state in past:
        if state in (RecommendationState.DISLIKED, RecommendationState.DISMISSED):
            exclusions.rejected_mbids.setdefault(mbid.lower(), str(state))
            exclusions.rejected_names.setdefault(normalise_name(name), str(state))
            feedback.rejected.append(name)
        else:
            exclusions.shown_mbids.add(mbid.lower())
            if state == RecommendationState.LIKED:
                feedback.liked.append(name)
            if state == RecommendationState.REQUESTED:
                exclusions.requested_mbids.add(mbid.lower())
    feedback.rejected = list(dict.fromkeys(feedback.rejected))
    feedback.liked = list(dict.fromkeys(feedback.liked))
    return exclusions, feedback


def shortlist(listening: Listening | None, exclusions: Exclusions) -> list[Candidate]:
    """The sources' candidates minus what the user owns, requested, rejected, excluded,
    already has in the feed, or names as their own taste; at most ``MAX_CANDIDATES``."""
    if listening is None:
        return []
    own = {normalise_name(name) for name in exclusions.profile.named_artists}
    own |= {normalise_name(name) for name, _ in listening.top_artists}
    own |= {normalise_name(name) for name in listening.recent_artists}
    chosen: list[Candidate] = []
    for candidate in listening.candidates:
        key = normalise_name(candidate.name)
        mbid = (candidate.mbid or "").lower()
        if (
            not key
            or key in own
            or key in exclusions.excluded_names
            or key in exclusions.rejected_names
            or exclusions.profile.owned.find(candidate.name, candidate.mbid) is not None
            or (mbid and mbid in exclusions.requested_mbids | exclusions.shown_mbids)
            or (mbid and mbid in exclusions.rejected_mbids)
        ):
            continue
        chosen.append(candidate)
        if len(chosen) >= MAX_CANDIDATES:
            break
    return chosen


@dataclass
class RoundOutcome:
    valid: int = 0
    stored: int = 0


class Pipeline:
    """Executes one run; the caller provides the clients (from the ServiceHub, or a test's)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        lidarr: LidarrClient,
        ollama: OllamaClient,
        temperature: float | None = None,
        on_card: Callable[[int], None] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.lidarr = lidarr
        self.ollama = ollama
        self.temperature = temperature
        self.on_card = on_card
        self.current = RoundOutcome()  # the round in progress (its cards count if it fails)
        self.candidates: dict[str, Candidate] = {}  # normalised name → the shortlist entry
        self.listening: Listening | None = None
        self.cards_by_source: Counter[str] = Counter()
        self.first_round: Counter[str] = Counter()  # proposed / resolved / kept in round 1
        self.rounds = 0

    async def run(
        self,
        run_id: int,
        user_id: int,
        profile: TasteProfile,
        prefs: UserPreferences,
        listening: Listening | None = None,
    ) -> None:
        started = time.monotonic()
        reasons: Counter[str] = Counter()
        async with self.sessionmaker() as db:
            run = await db.get(RecommendationRun, run_id)
            assert run is not None
            exclusions, feedback = await load_exclusions(db, user_id, prefs, profile)
            self.listening = listening
            offered = shortlist(listening, exclusions)
            self.candidates = {normalise_name(c.name): c for c in offered}
            run.candidate_count = len(offered)
            self._report(run)
            grounder = Grounder(
                self.lidarr,
                kinds=prefs.recommendation_kinds,
                release_types=prefs.release_types,
                taste_genres=[genre for genre, _ in profile.genres] + list(prefs.favourite_genres),
            )
            target = prefs.recommendation_count
            stored = 0
            already: list[str] = []
            try:
                rounds = 0
                retried = False
                while stored < target and rounds < MAX_ROUNDS:
                    rounds += 1
                    self.rounds = rounds
                    outcome = RoundOutcome()
                    self.current = outcome
                    await self._round(
                        db, run, grounder, exclusions, profile, prefs, feedback, reasons,
                        outcome, count=target - stored, already=already, strict=retried,
                    )  # fmt: skip
                    stored += outcome.stored
                    if outcome.valid == 0:
                        if retried:
                            raise NothingUsable(reasons)
                        retried = True
                        reasons["retries"] += 1
                    elif outcome.stored == 0 and rounds > 1:
                        break  # the model keeps proposing what we drop; stop asking
                reasons["rounds"] = rounds
                self._finish(run, started, reasons, RunStatus.COMPLETED)
                if stored == 0:
                    run.error = "The model's suggestions were all dropped: " + describe_drops(
                        reasons
                    )
            except AppError as error:
                self._finish(run, started, reasons, RunStatus.FAILED)
                run.error = error.detail
                run.error_code = error.code
                if stored + self.current.stored and not isinstance(error, NothingUsable):
                    # Keep what was found; say why the run stopped early.
                    run.status = RunStatus.COMPLETED
                    run.error = f"Stopped early: {error.detail}"
            await db.commit()

    def _finish(
        self, run: RecommendationRun, started: float, reasons: Counter[str], status: RunStatus
    ) -> None:
        run.status = status
        run.finished_at = utcnow()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.filtered_reasons = dict(reasons)
        self._report(run)
        run.filtered_count = sum(
            n for key, n in reasons.items() if key not in ("rounds", "retries")
        )

    async def _round(
        self,
        db: AsyncSession,
        run: RecommendationRun,
        grounder: Grounder,
        exclusions: Exclusions,
        profile: TasteProfile,
        prefs: UserPreferences,
        feedback: Feedback,
        reasons: Counter[str],
        outcome: RoundOutcome,
        *,
        count: int,
        already: list[str],
        strict: bool,
    ) -> None:
        messages = build_messages(
            profile,
            prefs,
            feedback,
            count=min(30, count + EXTRA_ASKED),
            already=already,
            strict=strict,
            listening=self.listening,
            candidates=list(self.candidates.values()),
        )
        scanner = ItemScanner()
        async with self.ollama.chat_stream(
            messages, format=response_schema(), temperature=self.temperature
        ) as stream:
            async for chunk in stream:
                found = scanner.feed(chunk)
                if outcome.stored >= count:
                    # Enough cards: read the rest only for Ollama's token counts.
                    continue
                for raw in found:
                    run.proposed_count += 1
                    if self.rounds == 1:
                        self.first_round["proposed"] += 1
                    checked = validate_item(raw)
                    if checked.item is None:
                        reasons[checked.problem or "missing_fields"] += 1
                        continue
                    outcome.valid += 1
                    already.append(checked.item.artist)
                    if await self._consider(db, run, checked.item, grounder, exclusions, reasons):
                        outcome.stored += 1
                        if outcome.stored >= count:
                            break
                await db.commit()
            stats = stream.stats
        if stats is not None:
            run.prompt_tokens += stats.prompt_eval_count or 0
            run.completion_tokens += stats.eval_count or 0
        if scanner.unparsable:
            reasons["invalid_json"] += scanner.unparsable
        if outcome.valid == 0 and scanner.objects_seen == 0:
            reasons["no_items"] += 1
        await db.commit()

    async def _consider(
        self,
        db: AsyncSession,
        run: RecommendationRun,
        item: ProposedItem,
        grounder: Grounder,
        exclusions: Exclusions,
        reasons: Counter[str],
    ) -> bool:
        reason = exclusions.before_lookup(item)
        if reason is not None:
            reasons[reason] += 1
            return False
        candidate = self.candidates.get(normalise_name(item.artist))
        try:
            grounded = await grounder.ground(item, candidate.mbid if candidate else None)
        except Unresolved as unresolved:
            reasons[unresolved.reason] += 1
            return False
        run.resolved_count += 1
        if self.rounds == 1:
            self.first_round["resolved"] += 1
        for note in grounded.notes:
            reasons[note] += 1
        reason = exclusions.after_lookup(grounded)
        if reason is not None:
            reasons[reason] += 1
            return False
        exclusions.remember(item, grounded)
        card = Recommendation(
            run_id=run.id,
            user_id=run.user_id,
            kind=grounded.kind,
            artist_name=grounded.artist.artist_name or item.artist,
            artist_mbid=grounded.artist_mbid,
            album_title=grounded.album.title if grounded.album else None,
            album_mbid=grounded.album.foreign_album_id if grounded.album else None,
            year=grounded.year,
            genres=grounded.genres,
            reason=item.reason,
            similar_to=item.similar_to,
            source=candidate.source if candidate else "model",
            image_url=grounded.image_url(),
            lookup=grounded.lookup_data(),
            state=RecommendationState.NEW,
        )
        db.add(card)
        self.cards_by_source[card.source] += 1
        if self.rounds == 1:
            self.first_round["kept"] += 1
        self._report(run)
        await db.commit()
        if self.on_card is not None:
            self.on_card(card.id)
        return True

    def _report(self, run: RecommendationRun) -> None:
        """The run's sources record, rewritten whole (JSON columns do not track edits)."""
        report = self.listening.report() if self.listening is not None else {}
        offered = Counter(kind for c in self.candidates.values() for kind in c.sources)
        for kind, entry in report.get("sources", {}).items():
            entry["offered"] = offered.get(kind, 0)
        report["cards"] = dict(self.cards_by_source)
        report["first_round"] = dict(self.first_round)
        run.source_report = report


class NothingUsable(AppError):
    status = 502
    code = "no_usable_recommendations"
    title = "The model gave nothing usable"

    def __init__(self, reasons: Counter[str]) -> None:
        super().__init__(
            "The model answered twice without one usable recommendation ("
            + describe_drops(reasons)
            + ") — try another model in Settings → Services, or run again",
            service="ollama",
        )


REASON_LABELS = {
    "unresolved": "not found on MusicBrainz",
    "ambiguous": "ambiguous name",
    "owned": "already in your library",
    "requested": "already requested",
    "dismissed": "dismissed before",
    "disliked": "disliked before",
    "excluded": "excluded by you",
    "excluded_genre": "in an excluded genre",
    "duplicate": "duplicate",
    "already_shown": "already in your feed",
    "missing_fields": "incomplete item",
    "invalid_json": "unreadable output",
    "no_items": "no items in the answer",
    "no_album": "no album of the wanted type",
    "album_not_found": "album not found (kept the artist)",
    "release_type": "unwanted release type (kept the artist)",
}


def describe_drops(reasons: Counter[str] | dict[str, int]) -> str:
    parts = [
        f"{count} {REASON_LABELS.get(key, key)}"
        for key, count in sorted(reasons.items(), key=lambda kv: -kv[1])
        if key not in ("rounds", "retries") and count
    ]
    return ", ".join(parts) or "nothing proposed"
