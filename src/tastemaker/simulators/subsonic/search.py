"""Word-prefix search over a fixed list of texts, without scanning the list per query.

Navidrome's ``search3`` matches each query word against the start of the words
of an item's full text (title, album, artist), with accents folded. Here every
distinct word maps to the sorted positions of the texts containing it; a query
word finds its words by binary search over the sorted vocabulary, and the
positions of all query words are intersected. Positions are in the list's own
order (alphabetical), so results come out sorted and page by slicing.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case without accents: "Montréal" → "montreal"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


class WordIndex:
    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        postings: dict[str, list[int]] = defaultdict(list)
        for position, text in enumerate(texts):
            for word in dict.fromkeys(words(text)):  # each word once per text
                postings[word].append(position)
        self._vocabulary = sorted(postings)
        self._postings = dict(postings)

    def _prefixed(self, prefix: str) -> set[int]:
        start = bisect_left(self._vocabulary, prefix)
        found: set[int] = set()
        for word in self._vocabulary[start:]:
            if not word.startswith(prefix):
                break
            found.update(self._postings[word])
        return found

    def search(self, query: str) -> list[int] | None:
        """Sorted positions matching every word of ``query``; ``None`` means "all"."""
        terms = words(query)
        if not terms:
            return None
        matches: set[int] | None = None
        # The rarest-looking (longest) term first keeps the intersections small.
        for term in sorted(terms, key=len, reverse=True):
            found = self._prefixed(term)
            matches = found if matches is None else matches & found
            if not matches:
                return []
        return sorted(matches or ())
