"""The chat messages sent to the model: the request, the taste profile and the rules.

Every list here has a fixed maximum length, so the prompt stays the same size
whatever the size of the library or of the user's history.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tastemaker.integrations.ollama import ChatMessage
from tastemaker.preferences.models import UserPreferences

from .profile import TasteProfile

if TYPE_CHECKING:
    from tastemaker.sources.gather import Candidate, Listening
from .proposals import response_schema

MAX_FEEDBACK = 15
MAX_ALREADY = 40
MAX_PREFERENCE_NAMES = 20
MAX_NOTES = 500
MAX_CANDIDATES = 20  # the shortlist from listening sources (see sources/gather.py)
MAX_SOURCE_ARTISTS = 10
CANDIDATES_LEAD = "Candidates from my listening services"

_KIND_RULES = {
    "artists": "Recommend artists only: set album to null.",
    "albums": "Recommend albums: always give the album's exact title.",
    "both": "Give an album title when one record is clearly the best way in, else null.",
}
_TYPE_NAMES = {
    "album": "studio albums",
    "ep": "EPs",
    "single": "singles",
    "live": "live albums",
    "compilation": "compilations",
}


@dataclass
class Feedback:
    liked: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # disliked or dismissed


def _discovery(level: int) -> str:
    if level <= 33:
        return "Stay close to their taste: artists a fan of these would surely know and love."
    if level <= 66:
        return "Balance sure bets with a few less obvious discoveries."
    return "Be adventurous: lesser-known artists and neighbouring genres they rarely play."


def _names(names: list[str], limit: int) -> str:
    return ", ".join(names[:limit])


def build_messages(
    profile: TasteProfile,
    prefs: UserPreferences,
    feedback: Feedback,
    *,
    count: int,
    already: list[str],
    strict: bool = False,
    listening: Listening | None = None,
    candidates: Sequence[Candidate] = (),
) -> list[ChatMessage]:
    types = [_TYPE_NAMES[t] for t in prefs.release_types if t in _TYPE_NAMES]
    system = (
        f"Recommend {count} new artists the listener does not own yet. "
        "You are a music expert helping one listener discover music. "
        "Only name real, existing artists and records that can be found on MusicBrainz; "
        "never invent a name. Never suggest an artist named anywhere in the listener's "
        "profile, likes, dislikes or exclusions. "
        f"{_KIND_RULES.get(prefs.recommendation_kinds, _KIND_RULES['both'])} "
        f"Albums must be {', '.join(types) or 'studio albums'}. "
        "For each item write a reason of one or two sentences that names the listener's own "
        "artists it builds on, and list those artists in similar_to. "
        f"{_discovery(prefs.discovery_level)} "
        "Answer with JSON only, matching this schema: " + json.dumps(response_schema())
    )
    if candidates:
        system += (
            " The listener's candidates are the exception to that rule: real artists they do "
            "not own yet, offered for you to choose from."
        )
    if strict:
        system += " Output nothing but the JSON object: no Markdown, no commentary."
    lines = ["My listening, from my own music server:"]
    if profile.top_artists:
        lines.append(
            "- Most played: "
            + ", ".join(
                f"{name} ({plays} plays)" if plays else name for name, plays in profile.top_artists
            )
        )
    if profile.recent_artists:
        lines.append("- Recently played: " + ", ".join(profile.recent_artists))
    if profile.starred_artists:
        lines.append("- Starred: " + ", ".join(profile.starred_artists))
    if profile.top_albums:
        lines.append("- Favourite records: " + "; ".join(profile.top_albums))
    if profile.genres:
        lines.append("- Genres: " + ", ".join(f"{g} {p}%" for g, p in profile.genres))
    if listening is not None and listening.titles:
        lines.extend(_listening_lines(listening, candidates))
    if prefs.favourite_genres:
        lines.append(
            "- Genres I want more of: " + _names(prefs.favourite_genres, MAX_PREFERENCE_NAMES)
        )
    if prefs.favourite_artists:
        lines.append("- Artists I love: " + _names(prefs.favourite_artists, MAX_PREFERENCE_NAMES))
    if feedback.liked:
        lines.append("- Earlier suggestions I liked: " + _names(feedback.liked, MAX_FEEDBACK))
    avoid = list(prefs.excluded_artists[:MAX_PREFERENCE_NAMES]) + feedback.rejected[:MAX_FEEDBACK]
    if avoid:
        lines.append("Never suggest: " + ", ".join(avoid))
    if prefs.excluded_genres:
        lines.append("Avoid these genres: " + _names(prefs.excluded_genres, MAX_PREFERENCE_NAMES))
    if already:
        lines.append("Already suggested, do not repeat: " + ", ".join(already[-MAX_ALREADY:]))
    notes = (prefs.notes or "").strip()
    if notes:
        lines.append("My notes: " + notes[:MAX_NOTES])
    return [
        ChatMessage(role="system", content=system),
        ChatMessage(role="user", content="\n".join(lines)),
    ]


def _listening_lines(listening: Listening, candidates: Sequence[Candidate]) -> list[str]:
    """The user's other services, and the shortlist: real artists, each with its MBID
    known, that the model may pick from (a model given names tends to invent fewer)."""
    where = " and ".join(listening.titles)
    lines = []
    top = listening.top_artists[:MAX_SOURCE_ARTISTS]
    if top:
        lines.append(
            f"- Most played on {where}: "
            + ", ".join(f"{name} ({plays} plays)" if plays else name for name, plays in top)
        )
    recent = listening.recent_artists[:MAX_SOURCE_ARTISTS]
    if recent:
        lines.append(f"- Recently played on {where}: " + ", ".join(recent))
    if candidates:
        lines.append(
            f"{CANDIDATES_LEAD} (similar to what I play, not in my library): "
            + "; ".join(
                f"{c.name} (like {', '.join(c.seeds[:2])})" for c in candidates[:MAX_CANDIDATES]
            )
            + ". Choose from these or go beyond them."
        )
    return lines


def prompt_size(messages: list[ChatMessage]) -> int:
    return sum(len(message.content) for message in messages)
