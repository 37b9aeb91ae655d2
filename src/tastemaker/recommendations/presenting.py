"""How cards are shown: reasons that link the user's own artists into the library, covers.

A reason names the artists it builds on ("If you love Mira Castellan, …"); those the
user owns become links to their library page. Names are matched on word
boundaries, longest first, in the escaped text, so nothing the model wrote can
inject markup.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from .models import Recommendation
from .profile import OwnedArtist, TasteProfile


@dataclass
class CardView:
    card: Recommendation
    reason: Markup
    owned_similar: list[OwnedArtist]
    initials: str
    hue: int


def _initials(name: str) -> str:
    words = [w for w in re.split(r"\s+", name.removeprefix("The ").strip()) if w]
    return "".join(word[0] for word in words[:2]).upper() or "?"


def hue_of(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:4], 16) % 360  # noqa: S324 (a colour)


def link_reason(reason: str, owned: list[OwnedArtist], url: Callable[[str], str]) -> Markup:
    text = str(escape(reason))
    for artist in sorted(owned, key=lambda a: -len(a.name)):
        name = str(escape(artist.name))
        pattern = re.compile(rf"(?<![\w>]){re.escape(name)}(?![\w<])")
        href = escape(url(f"/library/artists/{artist.id}"))
        link = f'<a class="font-medium underline underline-offset-4" href="{href}">{name}</a>'
        text = pattern.sub(link.replace("\\", "\\\\"), text, count=1)
    return Markup(text)  # noqa: S704 — built from escaped text above


def present(
    card: Recommendation, profile: TasteProfile | None, url: Callable[[str], str]
) -> CardView:
    owned: list[OwnedArtist] = []
    if profile is not None:
        for name in card.similar_to:
            found = profile.owned.find(name)
            if found is not None and found not in owned:
                owned.append(found)
        # The reason may name owned artists the model left out of similar_to.
        for key, artist in profile.owned.by_key.items():
            if len(owned) >= 6:
                break
            if (
                artist not in owned
                and len(key) >= 3
                and artist.name.casefold() in card.reason.casefold()
            ):
                owned.append(artist)
    return CardView(
        card=card,
        reason=link_reason(card.reason, owned, url),
        owned_similar=owned,
        initials=_initials(card.artist_name),
        hue=hue_of(card.artist_mbid),
    )


class ImageCache:
    """A small in-memory LRU of proxied cover images (bytes and content type)."""

    def __init__(self, max_items: int = 200) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()

    def get(self, url: str) -> tuple[bytes, str] | None:
        found = self._items.get(url)
        if found is not None:
            self._items.move_to_end(url)
        return found

    def put(self, url: str, body: bytes, content_type: str) -> None:
        self._items[url] = (body, content_type)
        self._items.move_to_end(url)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)
