"""What the model proposes: the JSON schema it is asked for, and a forgiving reader.

Ollama's ``format=<schema>`` usually gives clean JSON, but a model can still be cut
at its token limit, wrap the JSON in a Markdown fence or chatter around it, leave a
field out or repeat itself. :class:`ItemScanner` reads the text as it streams and
hands out every complete ``{…"artist"…}`` object the moment its closing brace
arrives, wherever it sits (fenced, in prose, in a truncated array), so good items
are used even when the whole answer is not valid JSON. Each object is then checked
on its own by :func:`validate_item`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator


class ProposedItem(BaseModel):
    """One recommendation as the model must write it."""

    artist: str = Field(min_length=1, max_length=300)
    album: str | None = Field(default=None, max_length=300)
    reason: str = Field(min_length=1, max_length=2000)
    similar_to: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("artist", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("album")
    @classmethod
    def _blank_album_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("similar_to")
    @classmethod
    def _clean_similar(cls, value: list[str]) -> list[str]:
        return [name.strip() for name in value if isinstance(name, str) and name.strip()]


class ProposalList(BaseModel):
    recommendations: list[ProposedItem]


def response_schema() -> dict[str, Any]:
    """The JSON schema sent as Ollama's ``format`` (and quoted in the prompt)."""
    item = {
        "type": "object",
        "properties": {
            "artist": {"type": "string"},
            "album": {"type": ["string", "null"]},
            "reason": {"type": "string"},
            "similar_to": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["artist", "reason", "similar_to"],
    }
    return {
        "type": "object",
        "properties": {"recommendations": {"type": "array", "items": item}},
        "required": ["recommendations"],
    }


@dataclass
class Checked:
    item: ProposedItem | None
    problem: str | None = None  # "missing_fields" when the object is not a valid item


def validate_item(raw: dict[str, Any]) -> Checked:
    try:
        return Checked(ProposedItem.model_validate(raw))
    except ValidationError:
        return Checked(None, "missing_fields")


class ItemScanner:
    """Feed text chunks; get back every complete JSON object that names an ``artist``.

    Quotes only count inside braces, so chatter around the JSON ("Here's what…")
    cannot confuse the string tracking.
    """

    def __init__(self) -> None:
        self._text: list[str] = []
        self._length = 0
        self._starts: list[int] = []
        self._in_string = False
        self._escaped = False
        self.objects_seen = 0
        self.unparsable = 0

    @property
    def text(self) -> str:
        return "".join(self._text)

    def feed(self, chunk: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        base = self._length
        self._text.append(chunk)
        self._length += len(chunk)
        whole: str | None = None
        for offset, char in enumerate(chunk):
            position = base + offset
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif char == "\\":
                    self._escaped = True
                elif char == '"':
                    self._in_string = False
                continue
            if char == '"' and self._starts:
                self._in_string = True
            elif char == "{":
                self._starts.append(position)
            elif char == "}" and self._starts:
                start = self._starts.pop()
                whole = whole if whole is not None else self.text
                parsed = self._parse(whole[start : position + 1])
                if isinstance(parsed, dict) and "artist" in parsed:
                    self.objects_seen += 1
                    found.append(parsed)
        return found

    def _parse(self, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            if '"artist"' in text:
                self.unparsable += 1
            return None
