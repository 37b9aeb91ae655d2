"""Types for what clients send, where pydantic or the database would read it loosely.

- JSON numbers: pydantic takes ``true`` for 1 and ``"5"`` for 5; a body field the
  OpenAPI document calls a number refuses booleans and text, as the document says.
- JSON date-times: RFC 3339 text only, as ``format: date-time`` says (pydantic would
  take a number, or text of digits such as ``"0"``, for Unix time, and a date-time
  without its offset).
- Row ids: every table's id is an ``integer`` column (32 bits on PostgreSQL), so a
  larger number names no row, and handed to the database it would overflow the query
  instead of finding nothing. Declaring the range makes such an id a 422 before any
  query runs, and tells the document what an id can be.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

# Some character that is neither space nor a control character, in every engine that
# reads the pattern alike: JSON Schema's (ECMAScript), pydantic's (Rust) and Python's
# \s differ, but not once controls and U+FEFF are excluded too. Text that has one
# keeps something after Python's str.strip(), which also drops U+001C-U+001F.
VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f\ufeff]"


def _a_json_number(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError("a number")
    return value


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _text(value: Any) -> Any:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("an RFC 3339 date-time, as text (e.g. 2026-11-26T20:15:00Z)")
    return value


JsonNumber = BeforeValidator(_a_json_number)
"""Refuses booleans and text where a number is due (4.0 still counts as the integer 4).

Put it after any ``Field`` constraints (``Annotated[int, Field(ge=0), JsonNumber]``):
before them, pydantic writes the constraints into the JSON schema as ``ge``/``le``,
which no client understands, instead of ``minimum``/``maximum``.
"""
IsoDateTime = Annotated[datetime, BeforeValidator(_text)]

MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
"""An id in a path or query string (given as text, read as a number)."""
BodyRowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID), JsonNumber]
"""An id in a JSON body: a JSON integer."""
Offset = Annotated[int, Field(ge=0, le=MAX_ROW_ID, description="How many items to skip")]
"""A list's offset: past the last possible row there is nothing (and SQL's OFFSET overflows)."""
