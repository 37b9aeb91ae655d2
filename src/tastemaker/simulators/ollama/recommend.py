"""What the simulated model "thinks": recommendations read off the prompt and the catalogue.

Like a real model, it builds on the artists the prompt names: it suggests their
similar artists from the shared catalogue and says so in the reason. It never
suggests an artist the prompt names (those are the user's taste, or exclusions) nor,
by default, one the demo user owns. The misbehaving modes then spoil a share of the
items the way real models do: invented artists, owned ones, duplicates, gaps.
Everything comes from a ``random.Random`` seeded with the seed and the prompt.

When the prompt offers a shortlist of candidates (a "Candidates …:" line, from the
user's listening sources), it takes about two thirds of its picks from it, best
first, and every third pick is its own idea beyond it, as a real model given a list
tends to do;
a name copied from the list is never an invented one, so "hallucinate" spares it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace

from tastemaker.simulators.catalogue import Album, Artist, catalogue, owned_artists

from .config import OllamaSimConfig, SimMode

MAX_COUNT = 40
_COUNT = re.compile(
    r"\b(\d{1,3})\s+(?:(?:new|more|different|fresh|music|musical|artist|album|other)\s+)*"
    r"(?:recommendations?|suggestions?|artists?|albums?|items?|picks?|bands?)\b",
    re.IGNORECASE,
)

# Words absent from the catalogue's own name lists, so an invented name never
# collides with a real (catalogue) artist.
_FAKE_FIRST = ("Obsidian", "Velour", "Cobalt", "Marble", "Saffron", "Hazel", "Ivory", "Rust")
_FAKE_SECOND = ("Parade", "Collective", "Machines", "Sisters", "Quartet", "Society", "Choir")
_FAKE_TITLES = ("Unwritten Songs", "Phantom Radio", "Imaginary Coastlines", "Borrowed Light")


@dataclass(frozen=True)
class Pick:
    """One recommendation before it is written out in the requested JSON shape."""

    artist: str
    album: str | None
    album_fallback: str  # an album to give when the schema requires one
    year: int
    genres: tuple[str, ...]
    reason: str
    similar_to: tuple[str, ...]
    confidence: float
    missing: frozenset[str] = field(default_factory=frozenset)  # roles to leave out


_SHORTLIST = re.compile(r"^Candidates\b[^:\n]*:(.*)$", re.MULTILINE)
SHORTLIST_SHARE = 2 / 3


@dataclass(frozen=True)
class PromptFacts:
    text: str
    mentioned: tuple[Artist, ...]  # catalogue artists the prompt names, catalogue order
    count: int
    shortlist: tuple[Artist, ...] = ()  # offered candidates, in the prompt's order


def _named(text: str) -> list[tuple[int, Artist]]:
    lowered = text.lower()
    found = []
    for artist in catalogue():
        match = re.search(rf"(?<!\w){re.escape(artist.name.lower())}(?!\w)", lowered)
        if match:
            found.append((match.start(), artist))
    return found


def read_prompt(text: str, default_count: int) -> PromptFacts:
    listed = _SHORTLIST.search(text)
    shortlist: tuple[Artist, ...] = ()
    if listed:
        # Only the names themselves, not the "(like …)" notes after them.
        names = re.sub(r"\([^)]*\)", "", listed.group(1))
        shortlist = tuple(artist for _, artist in sorted(_named(names), key=lambda p: p[0]))
        text_without = text[: listed.start()] + text[listed.end() :]
    else:
        text_without = text
    mentioned = tuple(artist for _, artist in _named(text_without))
    match = _COUNT.search(text)
    count = int(match.group(1)) if match else default_count
    return PromptFacts(
        text=text,
        mentioned=mentioned,
        count=max(1, min(count, MAX_COUNT)),
        shortlist=tuple(a for a in shortlist if a not in mentioned),
    )


def _names(names: tuple[str, ...] | list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _main_album(artist: Artist, rng: random.Random) -> Album:
    full_lengths = [album for album in artist.albums if album.album_type == "Album"]
    return rng.choice(full_lengths or list(artist.albums))


def _reason(artist: Artist, similar_to: tuple[str, ...], album: Album | None) -> str:
    genre = artist.genres[0].lower()
    if similar_to:
        opening = f"If you love {_names(similar_to)}, {artist.name} is a natural next step"
    else:
        opening = f"{artist.name} is a fine way further into {genre}"
    article = "an" if genre[0] in "aeiou" else "a"
    sentence = f"{opening}: {article} {genre} act from {artist.city}, active since {artist.formed}."
    if album is not None:
        sentence += f" Start with “{album.title}” ({album.year})."
    return sentence


def _pick(artist: Artist, mentioned: tuple[Artist, ...], rng: random.Random, rank: int) -> Pick:
    similar_to = tuple(
        other.name
        for other in mentioned
        if other.genres[0] in artist.genres and other.name != artist.name
    )[:3]
    album = _main_album(artist, rng)
    with_album = rng.random() < 0.6
    return Pick(
        artist=artist.name,
        album=album.title if with_album else None,
        album_fallback=album.title,
        year=album.year,
        genres=artist.genres,
        reason=_reason(artist, similar_to, album if with_album else None),
        similar_to=similar_to,
        confidence=round(max(0.5, 0.95 - rank * 0.03), 2),
    )


def _candidates(facts: PromptFacts, rng: random.Random, allow_owned: bool) -> list[Artist]:
    """Artists similar to the ones the prompt names first, then the rest of the world."""
    named = {artist.name for artist in facts.mentioned}
    owned = {artist.name for artist in owned_artists()}
    by_name = {artist.name: artist for artist in catalogue()}

    def allowed(name: str) -> bool:
        return name not in named and (allow_owned or name not in owned)

    listed = [a.name for a in facts.shortlist if allowed(a.name)]
    listed = listed[: max(1, round(facts.count * SHORTLIST_SHARE))] if listed else []
    close = sorted(
        {
            name
            for artist in facts.mentioned
            for name in artist.similar
            if allowed(name) and name not in listed
        }
    )
    rng.shuffle(close)
    rest = [
        artist.name
        for artist in catalogue()
        if allowed(artist.name) and artist.name not in close and artist.name not in listed
    ]
    rng.shuffle(rest)
    own = close + rest
    # Its own ideas come mixed in with the list's names (every third pick), not after them.
    mixed: list[str] = []
    while listed or own:
        if own and (len(mixed) % 3 == 2 or not listed):
            mixed.append(own.pop(0))
        else:
            mixed.append(listed.pop(0))
    return [by_name[name] for name in mixed]


def _invented(
    rng: random.Random, taken: set[str], mentioned: tuple[Artist, ...], rank: int
) -> Pick:
    name = f"The {rng.choice(_FAKE_FIRST)} {rng.choice(_FAKE_SECOND)}"
    while name in taken:
        name = f"{name} II"
    taken.add(name)
    similar_to = tuple(artist.name for artist in mentioned[:2])
    album = rng.choice(_FAKE_TITLES)
    because = f"If you love {_names(similar_to)}, y" if similar_to else "Y"
    return Pick(
        artist=name,
        album=album,
        album_fallback=album,
        year=rng.randint(1995, 2024),
        genres=("Indie Rock",),
        reason=f"{because}ou will adore {name}'s lush, cinematic sound on “{album}”.",
        similar_to=similar_to,
        confidence=round(max(0.5, 0.95 - rank * 0.03), 2),
    )


def _bad_positions(
    count: int, rng: random.Random, fraction: float, spared: frozenset[int] = frozenset()
) -> list[int]:
    open_ = [index for index in range(count) if index not in spared]
    positions = [index for index in open_ if rng.random() < fraction]
    if not positions and open_:
        # Every misbehaving mode must show at least once, or a test of it proves nothing.
        positions = [open_[min(1, len(open_) - 1)]]
    return positions


def _spoil(
    picks: list[Pick], mode: SimMode, facts: PromptFacts, rng: random.Random, fraction: float
) -> list[Pick]:
    if mode not in ("hallucinate", "owned", "duplicates", "missing_fields"):
        return picks
    spoiled = list(picks)
    listed = {artist.name for artist in facts.shortlist}
    spared = (
        frozenset(i for i, pick in enumerate(picks) if pick.artist in listed)
        if mode == "hallucinate"
        else frozenset()
    )
    bad = _bad_positions(len(picks), rng, fraction, spared)
    owned = list(owned_artists())
    rng.shuffle(owned)
    taken = {artist.name for artist in catalogue()}
    for number, index in enumerate(bad):
        if mode == "hallucinate":
            spoiled[index] = _invented(rng, taken, facts.mentioned, index)
        elif mode == "owned":
            spoiled[index] = _pick(owned[number % len(owned)], facts.mentioned, rng, index)
        elif mode == "duplicates" and index > 0:
            original = spoiled[rng.randrange(index)]
            # Alternate exact copies with the sloppier kind a model also produces.
            name = original.artist if number % 2 == 0 else original.artist.upper()
            spoiled[index] = replace(original, artist=name)
        elif mode == "missing_fields":
            role = ("reason", "artist", "similar_to")[number % 3]
            spoiled[index] = replace(spoiled[index], missing=frozenset({role}))
    if mode == "duplicates" and bad == [0]:
        spoiled.append(spoiled[0])
    return spoiled


def recommend(text: str, config: OllamaSimConfig, mode: SimMode, seed: int) -> list[Pick]:
    """The items the model answers ``text`` with, in ``mode``; deterministic for a seed."""
    facts = read_prompt(text, config.default_count)
    rng = random.Random(f"{seed}\n{text}")
    candidates = _candidates(facts, rng, allow_owned=False)
    picks = [
        _pick(artist, facts.mentioned, rng, rank)
        for rank, artist in enumerate(candidates[: facts.count])
    ]
    if not picks:
        return []
    return _spoil(picks, mode, facts, rng, config.bad_fraction)
