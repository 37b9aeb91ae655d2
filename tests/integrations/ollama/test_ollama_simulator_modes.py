"""Each misbehaving mode of the Ollama simulator does what a bad model or server does.

Driven with the official ``ollama`` client, so what is asserted is what any Ollama
client would see.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import ollama
import pytest
from jsonschema import Draft202012Validator

from tastemaker.simulators.catalogue import catalogue, owned_artists

MODEL = "llama3.2"
CATALOGUE_NAMES = {artist.name for artist in catalogue()}
OWNED_NAMES = {artist.name for artist in owned_artists()}


async def drain(parts: AsyncIterator[ollama.ChatResponse], into: list[ollama.ChatResponse]) -> None:
    """Read a stream to its end (or its error), keeping what arrived."""
    async for part in parts:
        into.append(part)


def official(sim_url: str, timeout: float = 5) -> ollama.AsyncClient:
    return ollama.AsyncClient(host=sim_url, timeout=timeout)


async def content_in(sim_url: str, messages: list[dict[str, str]], **kwargs: Any) -> str:
    answer = await official(sim_url).chat(MODEL, messages, **kwargs)
    return answer.message.content or ""


async def items_in(sim_url: str, messages: list[dict[str, str]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(await content_in(sim_url, messages))["recommendations"]
    return items


async def test_hallucinate_invents_some_artists_and_keeps_some_real(
    sim_url: str, sim_mode: Any, taste_messages: list[dict[str, str]]
) -> None:
    sim_mode("hallucinate")
    artists = [item["artist"] for item in await items_in(sim_url, taste_messages)]
    assert [name for name in artists if name not in CATALOGUE_NAMES]
    assert [name for name in artists if name in CATALOGUE_NAMES]


async def test_owned_recommends_artists_the_user_already_owns(
    sim_url: str, sim_mode: Any, taste_messages: list[dict[str, str]]
) -> None:
    sim_mode("owned", bad_fraction=1.0)
    artists = [item["artist"] for item in await items_in(sim_url, taste_messages)]
    assert artists
    assert set(artists) <= OWNED_NAMES


async def test_invalid_json_is_cut_at_the_token_limit(
    sim_url: str, sim_mode: Any, taste_messages: list[dict[str, str]]
) -> None:
    sim_mode("invalid_json")
    answer = await official(sim_url).chat(MODEL, taste_messages)
    assert answer.done_reason == "length"
    assert (answer.message.content or "").startswith('{"recommendations": [{"artist": ')
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.message.content or "")


async def test_fenced_json_wraps_valid_json_in_fences_and_chatter(
    sim_url: str,
    sim_mode: Any,
    pipeline_schema: dict[str, Any],
    taste_messages: list[dict[str, str]],
) -> None:
    sim_mode("fenced_json")
    content = await content_in(sim_url, taste_messages, format=pipeline_schema)
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)
    fenced = re.search(r"```json\n(.*?)\n```", content, re.DOTALL)
    assert fenced is not None
    assert list(Draft202012Validator(pipeline_schema).iter_errors(json.loads(fenced[1]))) == []


async def test_prose_puts_text_around_bare_json(
    sim_url: str, sim_mode: Any, taste_messages: list[dict[str, str]]
) -> None:
    sim_mode("prose")
    content = await content_in(sim_url, taste_messages)
    assert "```" not in content
    start, end = content.index("{"), content.rindex("}") + 1
    assert content[:start].strip()
    assert content[end:].strip()
    assert json.loads(content[start:end])["recommendations"]


async def test_duplicates_repeat_an_artist(
    sim_url: str, sim_mode: Any, taste_messages: list[dict[str, str]]
) -> None:
    sim_mode("duplicates")
    artists = [item["artist"].casefold() for item in await items_in(sim_url, taste_messages)]
    assert len(set(artists)) < len(artists)


async def test_missing_fields_leave_required_fields_out_of_some_items(
    sim_url: str,
    sim_mode: Any,
    pipeline_schema: dict[str, Any],
    taste_messages: list[dict[str, str]],
) -> None:
    sim_mode("missing_fields")
    answer = json.loads(await content_in(sim_url, taste_messages, format=pipeline_schema))
    errors = list(Draft202012Validator(pipeline_schema).iter_errors(answer))
    assert errors
    assert all("is a required property" in error.message for error in errors)
    assert len(errors) < len(answer["items"])  # the others are still whole


async def test_slow_spaces_out_the_streamed_tokens(sim_url: str, sim_mode: Any) -> None:
    sim_mode("slow", slow_token_delay=0.03)
    stream = await official(sim_url).chat(
        MODEL, [{"role": "user", "content": "hi"}], stream=True, options={"num_predict": 10}
    )
    started = time.monotonic()
    arrivals = [time.monotonic() - started async for _ in stream]
    assert len(arrivals) == 11  # ten tokens, then the final chunk
    assert arrivals[-1] >= 0.25
    assert arrivals[0] < arrivals[-1] / 2  # the first token came long before the end


async def test_unknown_model_means_no_model_is_pulled(sim_url: str, sim_mode: Any) -> None:
    sim_mode("unknown_model")
    raw = official(sim_url)
    assert (await raw.list()).models == []
    with pytest.raises(ollama.ResponseError) as chat_error:
        await raw.chat(MODEL, [{"role": "user", "content": "hi"}])
    with pytest.raises(ollama.ResponseError) as show_error:
        await raw.show(MODEL)
    assert chat_error.value.status_code == 404
    assert chat_error.value.error == f'model "{MODEL}" not found, try pulling it first'
    assert show_error.value.status_code == 404


async def test_error_500_fails_the_chat_as_a_crashed_runner(sim_url: str, sim_mode: Any) -> None:
    sim_mode("error_500")
    with pytest.raises(ollama.ResponseError) as error:
        await official(sim_url).chat(MODEL, [{"role": "user", "content": "hi"}])
    assert error.value.status_code == 500
    assert "llama runner process has terminated" in error.value.error
    assert (await official(sim_url).list()).models  # the server itself still answers


async def test_error_midstream_sends_an_error_line_after_some_output(
    sim_url: str, sim_mode: Any
) -> None:
    sim_mode("error_midstream")
    received: list[ollama.ChatResponse] = []
    parts = await official(sim_url).chat(MODEL, [{"role": "user", "content": "hi"}], stream=True)
    with pytest.raises(ollama.ResponseError) as error:
        await drain(parts, received)
    assert received
    assert error.value.status_code == -1
    assert "unexpected EOF" in error.value.error


async def test_hang_never_answers_until_the_client_gives_up(sim_url: str, sim_mode: Any) -> None:
    sim_mode("hang")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await official(sim_url, timeout=0.3).chat(MODEL, [{"role": "user", "content": "hi"}])
    assert time.monotonic() - started < 2


async def test_cut_drops_the_connection_in_the_middle_of_the_answer(
    sim_url: str, sim_mode: Any
) -> None:
    sim_mode("cut")
    messages = [{"role": "user", "content": "hi"}]
    received: list[ollama.ChatResponse] = []
    parts = await official(sim_url).chat(MODEL, messages, stream=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await drain(parts, received)
    assert received
    assert not any(part.done for part in received)
    with pytest.raises(httpx.RemoteProtocolError):
        await official(sim_url).chat(MODEL, messages)
