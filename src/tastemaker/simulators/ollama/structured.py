"""Write recommendations in the JSON shape a request's ``format`` asks for.

Real Ollama turns a ``format`` JSON Schema into a grammar, so the model can only
produce JSON valid for it. The simulator gets the same effect by reading the schema:
it finds the array of objects (``{"items": [...]}``, ``{"recommendations": [...]}``…)
and fills each object's properties by what their names mean (artist, album, reason,
similar…), falling back to a neutral value of the right type. ``$ref``/``$defs``
(what pydantic's ``model_json_schema()`` emits), ``anyOf`` with null, ``enum`` and
``minItems``/``maxItems`` are understood. Without a schema the shape is
``{"recommendations": [{"artist", "album"?, "reason", "similar_to"}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .recommend import Pick

Schema = Mapping[str, Any]
_NEUTRAL: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False}


def default_item(pick: Pick) -> dict[str, Any]:
    item: dict[str, Any] = {"artist": pick.artist}
    if pick.album is not None:
        item["album"] = pick.album
    item["reason"] = pick.reason
    item["similar_to"] = list(pick.similar_to)
    for role in pick.missing:
        item.pop(role, None)
    return item


def _resolve(node: Any, root: Schema) -> Schema:
    """Follow local ``$ref``s (``#/$defs/Item``, ``#/definitions/Item``)."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node, seen = target, seen + 1
    return node if isinstance(node, Mapping) else {}


def _branches(node: Schema, root: Schema) -> list[Schema]:
    """The node itself, or its ``anyOf``/``oneOf`` alternatives (e.g. ``str | None``)."""
    options = node.get("anyOf") or node.get("oneOf")
    if isinstance(options, Sequence) and options:
        return [_resolve(option, root) for option in options]
    return [node]


def _types(node: Schema, root: Schema) -> list[str]:
    found: list[str] = []
    for branch in _branches(node, root):
        declared = branch.get("type")
        if isinstance(declared, str):
            found.append(declared)
        elif isinstance(declared, list):
            found.extend(str(kind) for kind in declared)
        elif "properties" in branch:
            found.append("object")
        elif "items" in branch:
            found.append("array")
        elif "enum" in branch or "const" in branch:
            found.append("string")
    return found


def _branch_of(node: Schema, root: Schema, kind: str) -> Schema:
    for branch in _branches(node, root):
        if kind in _types(branch, root):
            return branch
    return node


def _items_schema(node: Schema, root: Schema) -> Schema | None:
    """The item schema when ``node`` is an array of objects."""
    if "array" not in _types(node, root):
        return None
    items = _resolve(_branch_of(node, root, "array").get("items"), root)
    return items if "object" in _types(items, root) else None


def _role(name: str) -> str | None:
    lowered = name.lower()
    # Order matters: "similar_artists" is about similarity, "album_year" is a year.
    rules = (
        ("similar", ("similar", "based_on", "because_of", "inspired", "related")),
        ("reason", ("reason", "why", "explanation", "because", "description", "rationale")),
        ("year", ("year",)),
        ("album", ("album", "release", "record")),
        ("artist", ("artist", "band")),
        ("genre", ("genre", "style")),
        ("confidence", ("confidence", "score", "certainty")),
    )
    for role, words in rules:
        if any(word in lowered for word in words):
            return role
    return {"name": "artist", "title": "album", "kind": "kind", "type": "kind"}.get(lowered)


def _neutral(node: Schema, root: Schema) -> Any:
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    if "const" in node:
        return node["const"]
    kinds = _types(node, root)
    if "null" in kinds:
        return None
    for kind in kinds:
        if kind == "array":
            return []
        if kind == "object":
            return fill_object(node, root, None)
        if kind in _NEUTRAL:
            return _NEUTRAL[kind]
    return ""


def _fits(value: Any, node: Schema, root: Schema) -> bool:
    kinds = _types(node, root)
    if not kinds:
        return True
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "null": lambda v: v is None,
    }
    if not any(checks.get(kind, lambda v: False)(value) for kind in kinds):
        return False
    enum = _branch_of(node, root, "string").get("enum")
    return not (isinstance(enum, list) and isinstance(value, str) and value not in enum)


def _value(role: str, pick: Pick, node: Schema, root: Schema, required: bool) -> Any:
    wants_list = "array" in _types(node, root)
    if role == "artist":
        return [pick.artist] if wants_list else pick.artist
    if role == "album":
        album = pick.album or (pick.album_fallback if required else None)
        if album is None:
            return None
        return [album] if wants_list else album
    if role == "reason":
        return pick.reason
    if role == "similar":
        return list(pick.similar_to) if wants_list else ", ".join(pick.similar_to)
    if role == "genre":
        return list(pick.genres) if wants_list else pick.genres[0]
    if role == "year":
        return pick.year
    if role == "confidence":
        return pick.confidence
    kind = "album" if pick.album else "artist"
    enum = _branch_of(node, root, "string").get("enum")
    return kind if not isinstance(enum, list) or kind in enum else enum[0]


def fill_object(node: Schema, root: Schema, pick: Pick | None) -> dict[str, Any]:
    """An object valid for ``node``; with a pick, one recommendation item."""
    node = _resolve(_branch_of(node, root, "object"), root)
    properties = node.get("properties") or {}
    required = set(node.get("required") or ())
    item: dict[str, Any] = {}
    for name, raw in properties.items():
        schema = _resolve(raw, root)
        role = _role(name)
        if pick is not None and role is not None:
            if role in pick.missing:
                continue
            value = _value(role, pick, schema, root, name in required)
            if value is None and name not in required:
                continue  # e.g. no album: leave the optional field out, as a model would
            if _fits(value, schema, root):
                item[name] = value
                continue
        if name in required:
            item[name] = _neutral(schema, root)
    return item


def _sized(picks: Sequence[Pick], node: Schema) -> Sequence[Pick]:
    most = node.get("maxItems")
    if isinstance(most, int):
        picks = picks[:most]
    least = node.get("minItems")
    if isinstance(least, int) and picks:
        while len(picks) < least:
            picks = [*picks, picks[len(picks) % len(picks)]]
    return picks


def render(picks: Sequence[Pick], schema: Any) -> Any:
    """The JSON value the model answers with for ``format=schema`` (None or "json": default)."""
    if not isinstance(schema, Mapping) or not schema:
        return {"recommendations": [default_item(pick) for pick in picks]}
    root: Schema = schema
    top = _resolve(root, root)
    items = _items_schema(top, root)
    if items is not None:  # the schema is itself an array of objects
        array = _branch_of(top, root, "array")
        return [fill_object(items, root, pick) for pick in _sized(picks, array)]
    if "object" not in _types(top, root):
        return _neutral(top, root)
    obj = _resolve(_branch_of(top, root, "object"), root)
    properties: Mapping[str, Any] = obj.get("properties") or {}
    list_key = next(
        (name for name, raw in properties.items() if _items_schema(_resolve(raw, root), root)),
        None,
    )
    if list_key is None:  # a single object: one recommendation
        return fill_object(obj, root, picks[0] if picks else None)
    required = set(obj.get("required") or ())
    answer: dict[str, Any] = {}
    for name, raw in properties.items():
        node = _resolve(raw, root)
        if name == list_key:
            item_schema = _items_schema(node, root) or {}
            array = _branch_of(node, root, "array")
            answer[name] = [fill_object(item_schema, root, pick) for pick in _sized(picks, array)]
        elif name in required:
            answer[name] = _neutral(node, root)
    return answer
