"""The Ollama simulator speaks Ollama's wire protocol: checked with raw HTTP and the official client.

Every answer is validated against the official OpenAPI document where it describes
one; the rest (streaming, errors, structured output) follows specs/ollama-notes.md.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import ollama
import pytest
from jsonschema import Draft202012Validator

from tastemaker.simulators.catalogue import catalogue, owned_artists

MODEL = "llama3.2"
CATALOGUE_NAMES = {artist.name for artist in catalogue()}
OWNED_NAMES = {artist.name for artist in owned_artists()}


def ndjson(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines() if line]


async def test_root_version_tags_and_show_answer_like_ollama(sim_url: str, spec: Any) -> None:
    async with httpx.AsyncClient(base_url=sim_url) as http:
        root = await http.get("/")
        version = await http.get("/api/version")
        tags = await http.get("/api/tags")
        show = await http.post("/api/show", json={"model": MODEL})
        head = await http.head("/api/version")
    assert root.text == "Ollama is running"
    assert head.status_code == 200
    assert spec.errors("VersionResponse", version.json()) == []
    assert version.json()["version"].count(".") == 2
    assert spec.errors("ListResponse", tags.json()) == []
    assert "llama3.2:latest" in [model["name"] for model in tags.json()["models"]]
    assert spec.errors("ShowResponse", show.json()) == []
    assert "completion" in show.json()["capabilities"]
    assert show.json()["model_info"]["llama.context_length"] > 0


async def test_chat_streams_ndjson_by_default_ending_with_metrics(
    sim_url: str, spec: Any, taste_messages: list[dict[str, str]]
) -> None:
    async with httpx.AsyncClient(base_url=sim_url) as http:
        response = await http.post("/api/chat", json={"model": MODEL, "messages": taste_messages})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    events = ndjson(response)
    assert len(events) > 10
    for event in events:
        assert spec.errors("ChatStreamEvent", event) == []
    assert all(event["done"] is False for event in events[:-1])
    final = events[-1]
    assert spec.errors("ChatResponse", final) == []
    assert final["done"] is True
    assert final["done_reason"] == "stop"
    assert final["eval_count"] == len(events) - 1
    assert final["prompt_eval_count"] > 30
    assert final["total_duration"] > final["eval_duration"] > 0
    content = "".join(event["message"]["content"] for event in events)
    assert json.loads(content)["recommendations"]


async def test_chat_without_stream_answers_one_object_valid_for_the_spec(
    sim_url: str, spec: Any, taste_messages: list[dict[str, str]]
) -> None:
    body = {"model": MODEL, "messages": taste_messages, "stream": False}
    async with httpx.AsyncClient(base_url=sim_url) as http:
        response = await http.post("/api/chat", json=body)
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    assert spec.errors("ChatResponse", answer) == []
    assert answer["message"]["role"] == "assistant"
    assert answer["done"] is True
    for metric in ("total_duration", "load_duration", "prompt_eval_count", "eval_count"):
        assert answer[metric] > 0


async def test_official_client_requests_are_valid_for_the_spec(
    sim_url: str,
    spec: Any,
    sim_mode: Any,
    chat_requests: Any,
    pipeline_schema: dict[str, Any],
    taste_messages: list[dict[str, str]],
) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    await raw.chat(MODEL, taste_messages, format=pipeline_schema, options={"temperature": 0.3})
    sent = chat_requests()[-1]
    assert spec.errors("ChatRequest", sent) == []
    assert sent["format"] == pipeline_schema
    assert sent["options"] == {"temperature": 0.3}


async def test_streamed_chunks_join_into_json_valid_for_the_requested_schema(
    sim_url: str, pipeline_schema: dict[str, Any], taste_messages: list[dict[str, str]]
) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    chunks = [
        part.message.content or ""
        async for part in await raw.chat(MODEL, taste_messages, format=pipeline_schema, stream=True)
    ]
    whole = await raw.chat(MODEL, taste_messages, format=pipeline_schema)
    content = "".join(chunks)
    assert content == whole.message.content
    answer = json.loads(content)
    assert list(Draft202012Validator(pipeline_schema).iter_errors(answer)) == []
    assert len(answer["items"]) == 5  # "Give me 5 recommendations"


async def test_a_plain_array_schema_with_other_field_names_is_honoured(sim_url: str) -> None:
    schema = {
        "type": "array",
        "maxItems": 3,
        "items": {
            "type": "object",
            "properties": {
                "artist_name": {"type": "string"},
                "album_title": {"type": ["string", "null"]},
                "kind": {"type": "string", "enum": ["artist", "album"]},
                "why": {"type": "string"},
                "year": {"type": "integer"},
            },
            "required": ["artist_name", "album_title", "kind", "why", "year"],
        },
    }
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    answer = await raw.chat(MODEL, [{"role": "user", "content": "Suggest music."}], format=schema)
    items = json.loads(answer.message.content or "")
    assert list(Draft202012Validator(schema).iter_errors(items)) == []
    assert len(items) == 3
    assert {item["artist_name"] for item in items} <= CATALOGUE_NAMES


async def test_recommendations_build_on_the_named_artists_and_avoid_owned_ones(
    sim_url: str, taste_messages: list[dict[str, str]]
) -> None:
    named = {artist.name for artist in owned_artists()[:4]}
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    answer = await raw.chat(MODEL, taste_messages)
    items = json.loads(answer.message.content or "")["recommendations"]
    assert len(items) == 5
    for item in items:
        assert item["artist"] in CATALOGUE_NAMES
        assert item["artist"] not in OWNED_NAMES
        assert set(item["similar_to"]) <= named
    assert any(item["similar_to"] for item in items)
    assert any(name in item["reason"] for item in items for name in named)


async def test_without_a_number_in_the_prompt_the_default_count_is_answered(sim_url: str) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    answer = await raw.chat(MODEL, [{"role": "user", "content": "Recommend me something."}])
    assert len(json.loads(answer.message.content or "")["recommendations"]) == 8


async def test_answers_are_deterministic_for_a_seed(
    sim_url: str, taste_messages: list[dict[str, str]]
) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    first = await raw.chat(MODEL, taste_messages)
    again = await raw.chat(MODEL, taste_messages)
    other = await raw.chat(MODEL, taste_messages, options={"seed": 7})
    assert first.message.content == again.message.content
    assert other.message.content != first.message.content


async def test_a_longer_prompt_counts_more_prompt_tokens(sim_url: str) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    short = await raw.chat(MODEL, [{"role": "user", "content": "Recommend music."}])
    long = await raw.chat(MODEL, [{"role": "user", "content": "Recommend music. " * 50}])
    assert (long.prompt_eval_count or 0) > (short.prompt_eval_count or 0) + 90


async def test_errors_have_ollama_bodies_and_status_codes(sim_url: str, spec: Any) -> None:
    messages = [{"role": "user", "content": "hi"}]
    async with httpx.AsyncClient(base_url=sim_url) as http:
        unknown = await http.post("/api/chat", json={"model": "nope", "messages": messages})
        show_unknown = await http.post("/api/show", json={"model": "nope"})
        no_model = await http.post("/api/show", json={})
        no_body = await http.post("/api/chat")
        bad_format = await http.post(
            "/api/chat", json={"model": MODEL, "messages": messages, "format": 42}
        )
        thinking = await http.post(
            "/api/chat", json={"model": MODEL, "messages": messages, "think": True}
        )
        nowhere = await http.get("/api/nowhere")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": 'model "nope" not found, try pulling it first'},
    )
    assert (show_unknown.status_code, show_unknown.json()) == (
        404,
        {"error": "model 'nope' not found"},
    )
    assert (no_model.status_code, no_model.json()) == (400, {"error": "model is required"})
    assert (no_body.status_code, no_body.json()) == (400, {"error": "missing request body"})
    assert bad_format.status_code == 500
    assert bad_format.json()["error"].startswith("invalid format: 42;")
    assert (thinking.status_code, thinking.json()) == (
        400,
        {"error": '"llama3.2" does not support thinking'},
    )
    assert (nowhere.status_code, nowhere.text) == (404, "404 page not found")
    for failure in (unknown, show_unknown, no_model, no_body, bad_format, thinking):
        assert failure.headers["content-type"] == "application/json"
        assert spec.errors("ErrorResponse", failure.json()) == []


async def test_empty_messages_only_load_the_model(sim_url: str) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    answer = await raw.chat(MODEL, [])
    assert answer.done_reason == "load"
    assert answer.message.content == ""


async def test_num_predict_stops_the_answer_at_the_token_limit(sim_url: str) -> None:
    raw = ollama.AsyncClient(host=sim_url, timeout=5)
    answer = await raw.chat(MODEL, [{"role": "user", "content": "hi"}], options={"num_predict": 12})
    assert answer.done_reason == "length"
    assert answer.eval_count == 12
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.message.content or "")


async def test_the_control_endpoint_switches_and_resets_the_mode(sim_url: str) -> None:
    async with httpx.AsyncClient(base_url=sim_url) as http:
        switched = await http.post("/_sim/mode", json={"mode": "slow", "slow_token_delay": 0.01})
        current = await http.get("/_sim/mode")
        refused = await http.post("/_sim/mode", json={"mode": "sulk"})
        reset = await http.post("/_sim/reset")
    assert switched.json()["mode"] == "slow"
    assert current.json()["slow_token_delay"] == 0.01
    assert refused.status_code == 422
    assert reset.json()["mode"] == "normal"
