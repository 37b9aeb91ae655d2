"""Careful name matching between what the model wrote and what MusicBrainz knows.

Models write names loosely: other case, missing accents, with or without "The",
"&" for "and", odd punctuation, a "feat. Somebody" tail. :func:`normalise_name`
folds all of that away so "the velvet lanterns (feat. X)" and "Velvet Lanterns"
compare equal, while genuinely different names stay different.
"""

from __future__ import annotations

import re
import unicodedata

_FEATURING = re.compile(r"\s*[\(\[]?\s*\b(?:feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^the\s+")
_TRAILING_ARTICLE = re.compile(r",\s*the$")
_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_name(name: str) -> str:
    """A comparison key for an artist or album name ("" for a blank name)."""
    text = strip_accents(name).casefold().strip()
    text = _FEATURING.sub("", text)
    text = _TRAILING_ARTICLE.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _NOT_WORD.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return _LEADING_ARTICLE.sub("", text)


def same_name(a: str, b: str) -> bool:
    key = normalise_name(a)
    return bool(key) and key == normalise_name(b)
