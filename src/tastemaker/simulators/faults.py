"""Injected misbehaviour for the Lidarr and Subsonic simulators, for fault tests.

``Faults`` says what goes wrong on every API call while it is set: each answer held
back (``delay_seconds``), an error status, a 200 with garbage (an HTML page, cut-off
JSON, JSON of the wrong shape), or the connection closed half-way through the body
(``disconnect``); with ``methods``, only calls with those methods (``["POST", "PUT"]``:
writes hang while reads answer). Change it on the simulator's config or over HTTP:
``PUT /_sim/faults`` with the fields to set, ``DELETE /_sim/faults`` to clear. ``/_sim``
exists in neither Lidarr nor Navidrome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, fields
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

GarbageKind = Literal["html", "truncated", "wrong_shape"]


@dataclass
class Faults:
    delay_seconds: float = 0.0
    status_code: int | None = None
    garbage: GarbageKind | None = None
    disconnect: bool = False
    methods: list[str] | None = None  # only these; None: every call

    @property
    def active(self) -> bool:
        return (
            bool(self.delay_seconds)
            or self.status_code is not None
            or self.garbage is not None
            or self.disconnect
        )


class CutOff(Response):
    """Promises a longer body than it sends, then ends: the server closes the connection
    and the client sees the answer break off, as when a process dies mid-answer."""

    def __init__(self, start: bytes, media_type: str) -> None:
        super().__init__(start, media_type=media_type)
        self.headers["content-length"] = str(len(start) * 4 + 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body, "more_body": True})


@dataclass(frozen=True)
class Voice:
    """How one simulated service says things when it fails."""

    error: Callable[[int], Response]  # an error status, with the service's own body
    wrong_shape: Callable[[], Response]  # valid JSON that is not what was asked
    truncated: bytes  # the start of a typical answer


async def misbehave(
    faults: Faults, voice: Voice, method: str, answer: Callable[[], Awaitable[Response]]
) -> Response:
    """The simulator's answer, or what ``faults`` makes of it."""
    if faults.methods is not None and method.upper() not in faults.methods:
        return await answer()
    if faults.delay_seconds:
        await asyncio.sleep(faults.delay_seconds)
    if faults.status_code is not None:
        return voice.error(faults.status_code)
    if faults.garbage == "html":
        return Response("<html><body>502 Bad Gateway</body></html>", media_type="text/html")
    if faults.garbage == "truncated":
        return Response(voice.truncated, media_type="application/json")
    if faults.garbage == "wrong_shape":
        return voice.wrong_shape()
    if faults.disconnect:
        return CutOff(voice.truncated, "application/json")
    return await answer()


def add_fault_routes(
    app: FastAPI, get: Callable[[], Faults], set_: Callable[[Faults], None]
) -> None:
    known = {f.name for f in fields(Faults)}

    @app.put("/_sim/faults", include_in_schema=False)
    async def set_faults(request: Request) -> JSONResponse:
        body = await request.json()
        set_(Faults(**{key: value for key, value in body.items() if key in known}))
        return JSONResponse(asdict(get()))

    @app.delete("/_sim/faults", include_in_schema=False)
    async def clear_faults() -> JSONResponse:
        set_(Faults())
        return JSONResponse(asdict(get()))
