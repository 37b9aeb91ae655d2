"""The app's Ollama client against the simulator on loopback: answers, and clear errors.

Each failure a user can meet (Ollama down, model not pulled, a hung or crashed
model, a cut connection, a server that is not Ollama) must end as one service error
naming Ollama and what to check.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tastemaker.errors import (
    ServiceBadResponse,
    ServiceNotConfigured,
    ServiceNotFound,
    ServiceTimeout,
    ServiceUnavailable,
)
from tastemaker.integrations.ollama import ChatMessage, OllamaClient, normalise_base_url
from tastemaker.simulators.ollama import create_app
from tastemaker.simulators.runner import BackgroundServer

MODEL = "llama3.2"


async def drain(stream: AsyncIterator[str], into: list[str] | None = None) -> None:
    """Read a stream to its end (or its error), keeping the chunks in ``into``."""
    async for chunk in stream:
        if into is not None:
            into.append(chunk)


async def ask(client: OllamaClient, messages: list[dict[str, str]], *, streamed: bool) -> str:
    if not streamed:
        return (await client.chat(messages)).content
    stream = client.chat_stream(messages)
    await drain(stream)
    return stream.content


async def test_version_models_and_model_details(client: OllamaClient) -> None:
    assert (await client.version()).version == "0.12.6"
    models = await client.list_models()
    assert [model.name for model in models] == ["llama3.2:latest", "qwen3:8b"]
    assert models[0].parameter_size == "3.2B"
    assert models[0].size
    assert models[0].modified_at
    info = await client.show_model()
    assert info.name == MODEL
    assert info.can_chat
    assert info.context_length == 131_072
    assert "thinking" in (await client.show_model("qwen3:8b")).capabilities


async def test_chat_answers_json_for_the_schema_with_stats(
    client: OllamaClient,
    chat_requests: Any,
    pipeline_schema: dict[str, Any],
    taste_messages: list[dict[str, str]],
) -> None:
    result = await client.chat(taste_messages, format=pipeline_schema, temperature=0.4)
    answer = json.loads(result.content)
    assert list(Draft202012Validator(pipeline_schema).iter_errors(answer)) == []
    assert len(answer["items"]) == 5
    assert result.stats.done_reason == "stop"
    assert result.stats.prompt_eval_count
    assert result.stats.prompt_eval_count > 30
    assert result.stats.eval_count
    assert result.stats.eval_count > 50
    assert result.stats.total_duration
    assert result.stats.eval_duration
    assert result.stats.tokens_per_second
    assert result.stats.tokens_per_second > 1
    sent = chat_requests()[-1]
    assert sent["options"] == {"temperature": 0.4}
    assert sent["stream"] is False


async def test_chat_stream_yields_chunks_that_join_into_valid_json_then_stats(
    client: OllamaClient, pipeline_schema: dict[str, Any]
) -> None:
    messages = [
        ChatMessage(role="system", content="You recommend music."),
        ChatMessage(role="user", content="Give me 3 recommendations."),
    ]
    chunks = []
    async with client.chat_stream(messages, format=pipeline_schema) as stream:
        async for chunk in stream:
            assert stream.stats is None  # the stats come after the last chunk
            chunks.append(chunk)
    assert len(chunks) > 20
    answer = json.loads("".join(chunks))
    assert list(Draft202012Validator(pipeline_schema).iter_errors(answer)) == []
    assert len(answer["items"]) == 3
    assert stream.stats is not None
    assert stream.stats.eval_count == len(chunks)
    assert stream.stats.prompt_eval_count
    assert stream.result.content == "".join(chunks)


async def test_a_stream_left_early_releases_the_connection(client: OllamaClient) -> None:
    messages = [{"role": "user", "content": "hi"}]
    async with client.chat_stream(messages) as stream:
        async for _ in stream:
            break
    assert stream.stats is None
    assert (await client.chat(messages)).content


async def test_a_model_that_is_not_pulled_is_named_with_the_pull_command(
    client: OllamaClient,
) -> None:
    messages = [{"role": "user", "content": "hi"}]
    failures = []
    for attempt in (
        client.chat(messages, model="mistral"),
        client.show_model("mistral"),
    ):
        with pytest.raises(ServiceNotFound) as error:
            await attempt
        failures.append(error.value)
    with pytest.raises(ServiceNotFound) as streamed:
        await drain(client.chat_stream(messages, model="mistral"))
    failures.append(streamed.value)
    for failure in failures:
        assert failure.service == "ollama"
        assert "model mistral is not pulled on the Ollama server" in failure.detail
        assert "ollama pull mistral" in failure.detail


async def test_unknown_model_mode_names_the_configured_model(
    client: OllamaClient, sim_mode: Any
) -> None:
    sim_mode("unknown_model")
    with pytest.raises(ServiceNotFound, match=re.escape("model llama3.2 is not pulled")):
        await client.chat([{"role": "user", "content": "hi"}])
    assert await client.list_models() == []


async def test_a_crashed_model_is_a_bad_response_quoting_ollama(
    client: OllamaClient, sim_mode: Any
) -> None:
    sim_mode("error_500")
    with pytest.raises(ServiceBadResponse) as error:
        await client.chat([{"role": "user", "content": "hi"}])
    assert error.value.service == "ollama"
    assert "llama runner process has terminated" in error.value.detail
    assert "HTTP 500" in error.value.detail


async def test_an_error_in_the_middle_of_a_stream_is_a_bad_response(
    client: OllamaClient, sim_mode: Any
) -> None:
    sim_mode("error_midstream")
    stream = client.chat_stream([{"role": "user", "content": "hi"}])
    chunks: list[str] = []
    with pytest.raises(ServiceBadResponse, match="in the middle of answering the chat request"):
        await drain(stream, chunks)
    assert chunks
    assert stream.stats is None


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_cut_connection_is_a_bad_response(
    client: OllamaClient, sim_mode: Any, streamed: bool
) -> None:
    sim_mode("cut")
    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(
        ServiceBadResponse, match="stopped in the middle of answering the chat request"
    ):
        await ask(client, messages, streamed=streamed)


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_hung_model_hits_the_timeout(sim_url: str, sim_mode: Any, streamed: bool) -> None:
    sim_mode("hang")
    messages = [{"role": "user", "content": "hi"}]
    started = time.monotonic()
    async with OllamaClient(sim_url, MODEL, timeout=0.3) as impatient:
        with pytest.raises(ServiceTimeout, match=r"did not answer within 0\.3 s"):
            await ask(impatient, messages, streamed=streamed)
    assert time.monotonic() - started < 2


async def test_a_slow_but_steady_stream_is_not_cut_by_the_timeout(
    sim_url: str, sim_mode: Any
) -> None:
    # The timeout bounds the silence between chunks, not the whole answer.
    sim_mode("slow", slow_token_delay=0.05)
    async with OllamaClient(sim_url, MODEL, timeout=0.3) as client:
        stream = client.chat_stream(
            [{"role": "user", "content": "hi"}], options={"num_predict": 10}
        )
        chunks = [chunk async for chunk in stream]
    assert len(chunks) == 10
    assert stream.stats is not None
    assert stream.stats.done_reason == "length"
    assert stream.stats.eval_duration
    assert stream.stats.eval_duration >= 0.4e9


async def test_ollama_down_is_unavailable_naming_the_url(closed_port_url: str) -> None:
    messages = [{"role": "user", "content": "hi"}]
    async with OllamaClient(closed_port_url, MODEL, timeout=2) as client:
        for attempt in (client.version(), client.list_models(), client.chat(messages)):
            with pytest.raises(ServiceUnavailable) as error:
                await attempt
            assert f"Ollama is not reachable at {closed_port_url}" in error.value.detail
            assert "Settings → Services" in error.value.detail
        with pytest.raises(ServiceUnavailable):
            await drain(client.chat_stream(messages))


async def _html(request: Request) -> HTMLResponse:
    status = 502 if request.url.path.startswith("/bad-gateway") else 200
    return HTMLResponse("<html><body>Welcome to nginx!</body></html>", status_code=status)


@pytest.fixture(scope="module")
def not_ollama_url() -> Iterator[str]:
    """A web server that is not Ollama: HTML for every path, 502 under /bad-gateway."""
    app = Starlette(routes=[Route("/{path:path}", _html, methods=["GET", "POST"])])
    with BackgroundServer(app) as server:
        yield server.url


@pytest.mark.parametrize("prefix", ["", "/bad-gateway"])
async def test_a_server_that_is_not_ollama_is_a_bad_response(
    not_ollama_url: str, prefix: str
) -> None:
    messages = [{"role": "user", "content": "hi"}]
    async with OllamaClient(not_ollama_url + prefix, MODEL, timeout=2) as client:
        for attempt in (client.version(), client.list_models(), client.chat(messages)):
            with pytest.raises(ServiceBadResponse) as error:
                await attempt
            assert error.value.service == "ollama"
            assert not_ollama_url in error.value.detail or "Ollama" in error.value.detail
        with pytest.raises(ServiceBadResponse):
            await drain(client.chat_stream(messages))


async def test_a_wrong_path_is_not_mistaken_for_a_missing_model(sim_url: str) -> None:
    async with OllamaClient(f"{sim_url}/ollama", MODEL, timeout=2) as client:
        with pytest.raises(ServiceBadResponse, match="answered 404"):
            await client.chat([{"role": "user", "content": "hi"}])


async def test_an_injected_transport_replaces_the_network() -> None:
    transport = httpx.ASGITransport(app=create_app())
    async with OllamaClient("http://ollama.invalid", MODEL, transport=transport) as client:
        assert (await client.version()).version
        result = await client.chat([{"role": "user", "content": "Give me 2 recommendations."}])
    assert len(json.loads(result.content)["recommendations"]) == 2


async def test_no_model_chosen_is_a_configuration_error(sim_url: str) -> None:
    async with OllamaClient(sim_url, "", timeout=2) as client:
        assert await client.list_models()  # listing works without a model, for the picker
        with pytest.raises(ServiceNotConfigured, match="no Ollama model is chosen"):
            await client.chat([{"role": "user", "content": "hi"}])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("localhost", "http://localhost:11434"),
        ("10.0.0.5:8080/", "http://10.0.0.5:8080"),
        ("https://ai.example.org/ollama", "https://ai.example.org/ollama"),
        ("[::1]", "http://[::1]:11434"),
    ],
)
def test_base_urls_follow_ollamas_host_rules(given: str, expected: str) -> None:
    assert normalise_base_url(given) == expected


@pytest.mark.parametrize("given", ["ftp://host", "http://", "host:port"])
def test_an_invalid_url_is_a_configuration_error(given: str) -> None:
    with pytest.raises(ServiceNotConfigured, match="is not valid"):
        normalise_base_url(given)
