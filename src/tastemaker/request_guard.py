"""What a request body may carry: at most ``MAX_BODY_BYTES``, and no NUL characters.

Nothing Tastemaker takes is large (the biggest are Lidarr's webhook payloads, a few
kilobytes), so a body past a megabyte is a mistake or an attack on memory: a 413. And
no text the app keeps has a use for NUL (``\\u0000`` in JSON, ``%00`` in a form, or the
raw byte), which PostgreSQL cannot store at all: a 400, the same on SQLite.

A pure ASGI middleware watches the body as the app receives it and raises the moment
the app reads past a limit (a ``Content-Length`` over the cap fails at once); the
app's own handler answers like any HTTP error, a problem+json under ``/api`` and a
page elsewhere. The route has not started its work then, so nothing is half-done.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024
# A JSON \u0000 escape (not an escaped backslash followed by "u0000"), a form's %00,
# or the byte itself.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"%00|\x00")
_ANY_NUL = re.compile(rb"\x00")
_TAIL = 64  # bytes kept from the previous chunk, for a NUL cut in two


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit // 1024} KiB")


class NulInBody(HTTPException):
    def __init__(self) -> None:
        super().__init__(400, "Text may not contain the NUL character (\\u0000)")


def _nul_pattern(scope: Scope) -> re.Pattern[bytes]:
    content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
    if b"json" in content_type:
        return _JSON_NUL
    if b"x-www-form-urlencoded" in content_type:
        return _FORM_NUL
    return _ANY_NUL


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_long = declared.isdigit() and int(declared) > self.max_bytes
        nul = _nul_pattern(scope)
        received = 0
        tail = b""

        async def guarded_receive() -> Message:
            nonlocal received, tail
            if too_long:
                raise BodyTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
                if nul.search(tail + chunk):
                    raise NulInBody()
                tail = (tail + chunk)[-_TAIL:]
            return message

        await self.app(scope, guarded_receive, send)
