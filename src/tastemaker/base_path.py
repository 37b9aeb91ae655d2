"""Serving under a sub-path (``BASE_PATH``) behind a reverse proxy.

Sets the ASGI ``root_path`` so routing, redirects and the OpenAPI document know the
prefix. Requests may arrive with the prefix (proxy passes it through) or without it
(proxy strips it): Starlette routes both.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class BasePathMiddleware:
    def __init__(self, app: ASGIApp, base_path: str) -> None:
        self.app = app
        self.base_path = base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.base_path:
            scope = {**scope, "root_path": self.base_path}
        await self.app(scope, receive, send)
