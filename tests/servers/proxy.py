"""A small reverse proxy on loopback, as nginx or Caddy would stand in front of the app.

``ReverseProxy(upstream)`` is an ASGI app (serve it with ``BackgroundServer``): it
passes every request on unchanged (path, query, body, the ``Host`` it was asked
for), adds ``X-Forwarded-For`` and ``X-Forwarded-Proto`` as the README's examples
do, and streams both bodies chunk by chunk, so audio and Range requests behave as
behind a real proxy. It records each request (``calls``) for tests that need to know
who called what, e.g. which Tastemaker process polled Lidarr.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

# Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own, never passed on.
HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-authenticate",
    b"proxy-authorization",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
}

Scope = dict[str, Any]
Message = dict[str, Any]


class ReverseProxy:
    def __init__(
        self, upstream: str, *, forwarded_proto: str = "http", only_under: str = ""
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.forwarded_proto = forwarded_proto
        # Like nginx's ``location /tastemaker/``: anything else is not the app's (404).
        self.only_under = only_under
        self.calls: list[str] = []  # "GET /api/v1/queue", in order
        self._http: httpx.AsyncClient | None = None

    def count(self, *calls: str) -> int:
        return sum(1 for call in self.calls if call in calls)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Made in the serving thread's event loop, where it is used.
                self._http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._http is not None:
                    await self._http.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: Scope, receive: Any, send: Any) -> None:
        assert self._http is not None
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        self.calls.append(f"{scope['method']} {scope['path']}")
        if self.only_under and not scope["path"].startswith(self.only_under + "/"):
            await _plain(send, 404, b"not behind this proxy")
            return
        url = self.upstream + path.decode("latin-1") + ("?" + query.decode() if query else "")
        client = scope.get("client") or ("127.0.0.1", 0)
        headers = [(n, v) for n, v in scope["headers"] if n.lower() not in HOP_BY_HOP]
        # A body only when the client sent one; its Content-Length, if any, is kept.
        has_body = any(
            n.lower() in (b"content-length", b"transfer-encoding") for n, _ in scope["headers"]
        )
        forwarded_for = [value for name, value in headers if name.lower() == b"x-forwarded-for"]
        headers = [
            h for h in headers if h[0].lower() not in (b"x-forwarded-for", b"x-forwarded-proto")
        ]
        chain = b", ".join([*forwarded_for, client[0].encode()])
        headers += [
            (b"x-forwarded-for", chain),
            (b"x-forwarded-proto", self.forwarded_proto.encode()),
        ]
        request = self._http.build_request(
            scope["method"], url, headers=headers, content=_body(receive) if has_body else None
        )
        try:
            answer = await self._http.send(request, stream=True)
        except httpx.HTTPError:
            await _plain(send, 502, b"upstream unreachable")
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": answer.status_code,
                    "headers": [
                        (name, value)
                        for name, value in answer.headers.raw
                        if name.lower() not in HOP_BY_HOP
                    ],
                }
            )
            async for chunk in answer.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await answer.aclose()


async def _body(receive: Any) -> AsyncIterator[bytes]:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _plain(send: Any, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": text})
