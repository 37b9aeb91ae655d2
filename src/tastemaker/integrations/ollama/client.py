"""A thin typed wrapper around the official ``ollama`` AsyncClient.

Why wrap it: the official client has no timeout by default, reads ``OLLAMA_HOST``
when given no host, returns loose models, and raises a different exception type for
each way a call can fail (see ``errors.py``). This wrapper always passes the host and
an explicit timeout, converts answers into ``models.py`` and every failure into one
of the app's ``ServiceError`` subclasses with ``service="ollama"``.

The timeout is an ``httpx`` read timeout: for a non-streamed chat it bounds the whole
generation, for a streamed one the silence between two chunks (so a slow but steady
model is not cut off, while a hung one is).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
import ollama

from tastemaker.errors import ServiceError, ServiceNotConfigured

from .errors import FAILURES, SERVICE, cut_short, translate
from .models import (
    ChatMessage,
    ChatResult,
    ChatStats,
    OllamaModel,
    OllamaModelInfo,
    OllamaVersion,
)

DEFAULT_PORT = 11434
DEFAULT_TIMEOUT = 120.0
# Connecting to a local Ollama is instant; waiting long here only delays "it is down".
_CONNECT_TIMEOUT = 5.0

JsonSchema = Mapping[str, Any]
Messages = Sequence[ChatMessage | Mapping[str, str]]


def normalise_base_url(url: str) -> str:
    """Ollama's own host rules (ollama-notes.md): no scheme means http, then no port 11434."""
    url = url.strip().rstrip("/")
    try:
        if "://" not in url:
            parts = urlsplit(f"http://{url}")
            if parts.port is None:
                parts = parts._replace(netloc=f"{parts.netloc}:{DEFAULT_PORT}")
            url = urlunsplit(parts)
        parts = urlsplit(url)
        parts.port  # noqa: B018 — parsing the port is what raises for "host:abc"
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceNotConfigured(
            SERVICE, f"the Ollama URL {url!r} is not valid — check Settings → Services"
        )
    return url


def _stats(part: ollama.ChatResponse) -> ChatStats:
    return ChatStats(
        done_reason=part.done_reason,
        total_duration=part.total_duration,
        load_duration=part.load_duration,
        prompt_eval_count=part.prompt_eval_count,
        prompt_eval_duration=part.prompt_eval_duration,
        eval_count=part.eval_count,
        eval_duration=part.eval_duration,
    )


def _messages(messages: Messages) -> list[dict[str, str]]:
    return [
        message.model_dump() if isinstance(message, ChatMessage) else dict(message)
        for message in messages
    ]


class ChatStream:
    """A streamed chat answer: iterate for content chunks; ``stats`` is set at the end.

    >>> async with client.chat_stream(messages, format=schema) as stream:
    ...     async for chunk in stream:
    ...         buffer += chunk
    ...     print(stream.stats.eval_count)

    A stream that ends without Ollama's final ``done`` chunk raises
    ``ServiceBadResponse``: the answer is incomplete, whatever text arrived.
    """

    def __init__(
        self,
        start: Callable[[], Awaitable[AsyncIterator[ollama.ChatResponse]]],
        fail: Callable[[BaseException], ServiceError],
        model: str,
        base_url: str,
    ) -> None:
        self.model = model
        self.content = ""  # everything received so far
        self.stats: ChatStats | None = None
        self._start = start
        self._fail = fail
        self._base_url = base_url
        self._chunks = self._run()

    def __aiter__(self) -> ChatStream:
        return self

    async def __anext__(self) -> str:
        return await self._chunks.__anext__()

    async def aclose(self) -> None:
        """Stop early and release the connection (also done by ``async with``)."""
        await self._chunks.aclose()

    async def __aenter__(self) -> ChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def result(self) -> ChatResult:
        """The whole answer, once the stream has finished."""
        if self.stats is None:
            raise RuntimeError("the stream has not finished")
        return ChatResult(model=self.model, content=self.content, stats=self.stats)

    async def _run(self) -> AsyncGenerator[str, None]:
        parts: AsyncIterator[ollama.ChatResponse] | None = None
        try:
            parts = await self._start()
            async for part in parts:
                text = part.message.content or ""
                if text:
                    self.content += text
                    yield text
                if part.done:
                    self.model = part.model or self.model
                    self.stats = _stats(part)
                    break
        except FAILURES as exc:
            raise self._fail(exc) from exc
        finally:
            # The official client's iterator is an async generator holding the HTTP
            # response open; close it now rather than whenever it is collected.
            if isinstance(parts, AsyncGenerator):
                await parts.aclose()
        if self.stats is None:
            raise cut_short(self._base_url, "the chat request")


class OllamaClient:
    """Ollama for the app: version, installed models, model details, chat.

    ``transport`` replaces the network (e.g. ``httpx.ASGITransport(simulator_app)``).
    Use ``async with`` or call :meth:`aclose`.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.model = model
        self.timeout = timeout
        http_timeout = httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT))
        extra: dict[str, Any] = {"transport": transport} if transport is not None else {}
        self._ollama = ollama.AsyncClient(host=self.base_url, timeout=http_timeout, **extra)
        # The official client has no call for /api/version, so that one goes through
        # a plain httpx client with the same host, timeout and transport.
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=http_timeout,
            headers={"Accept": "application/json"},
            **extra,
        )

    async def __aenter__(self) -> OllamaClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        # The official client's close() is not annotated.
        await self._ollama.close()  # type: ignore[no-untyped-call]
        await self._http.aclose()

    def _fail(self, exc: BaseException, what: str, model: str | None = None) -> ServiceError:
        return translate(exc, base_url=self.base_url, timeout=self.timeout, what=what, model=model)

    def _model(self, model: str | None) -> str:
        chosen = model or self.model
        if not chosen:
            # The official client would fail on an empty name before sending anything.
            raise ServiceNotConfigured(
                SERVICE, "no Ollama model is chosen — pick one in Settings → Services"
            )
        return chosen

    async def version(self) -> OllamaVersion:
        what = "the version check"
        try:
            response = await self._http.get("/api/version")
            response.raise_for_status()
            return OllamaVersion.model_validate(response.json())
        except FAILURES as exc:
            raise self._fail(exc, what) from exc

    async def list_models(self) -> list[OllamaModel]:
        """The models installed (pulled) on the server."""
        try:
            listed = await self._ollama.list()
        except FAILURES as exc:
            raise self._fail(exc, "the model list request") from exc
        return [
            OllamaModel(
                name=entry.model,
                modified_at=entry.modified_at,
                size=entry.size,
                digest=entry.digest,
                family=entry.details.family if entry.details else None,
                parameter_size=entry.details.parameter_size if entry.details else None,
                quantization_level=entry.details.quantization_level if entry.details else None,
            )
            for entry in listed.models
            if entry.model
        ]

    async def show_model(self, model: str | None = None) -> OllamaModelInfo:
        """Details of ``model`` (default: the configured one); 404 → ``ServiceNotFound``."""
        name = self._model(model)
        try:
            shown = await self._ollama.show(name)
        except FAILURES as exc:
            raise self._fail(exc, f"the request for model {name}'s details", model=name) from exc
        info = dict(shown.modelinfo or {})
        architecture = info.get("general.architecture")
        context_length = info.get(f"{architecture}.context_length") if architecture else None
        details = shown.details
        return OllamaModelInfo(
            name=name,
            capabilities=tuple(shown.capabilities or ()),
            family=details.family if details else None,
            parameter_size=details.parameter_size if details else None,
            quantization_level=details.quantization_level if details else None,
            context_length=context_length if isinstance(context_length, int) else None,
            parameters=shown.parameters,
            template=shown.template,
            modified_at=shown.modified_at,
        )

    def _request(
        self,
        format: JsonSchema | Literal["json"] | None,
        temperature: float | None,
        options: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        merged = dict(options or {})
        if temperature is not None:
            merged["temperature"] = temperature
        return {
            "format": dict(format) if isinstance(format, Mapping) else format,
            "options": merged or None,
        }

    async def chat(
        self,
        messages: Messages,
        *,
        format: JsonSchema | Literal["json"] | None = None,
        temperature: float | None = None,
        options: Mapping[str, Any] | None = None,
        model: str | None = None,
    ) -> ChatResult:
        """One whole answer. With ``format=<JSON schema>`` the content is JSON text for it."""
        name = self._model(model)
        try:
            answer = await self._ollama.chat(
                name,
                _messages(messages),
                stream=False,
                **self._request(format, temperature, options),
            )
        except FAILURES as exc:
            raise self._fail(exc, "the chat request", model=name) from exc
        return ChatResult(
            model=answer.model or name,
            content=answer.message.content or "",
            stats=_stats(answer),
        )

    def chat_stream(
        self,
        messages: Messages,
        *,
        format: JsonSchema | Literal["json"] | None = None,
        temperature: float | None = None,
        options: Mapping[str, Any] | None = None,
        model: str | None = None,
    ) -> ChatStream:
        """The answer as it is generated; nothing is sent until the stream is iterated."""
        name = self._model(model)
        request = _messages(messages)
        extra = self._request(format, temperature, options)

        def start() -> Awaitable[AsyncIterator[ollama.ChatResponse]]:
            return self._ollama.chat(name, request, stream=True, **extra)

        def fail(exc: BaseException) -> ServiceError:
            return self._fail(exc, "the chat request", model=name)

        return ChatStream(start, fail, name, self.base_url)
