"""Warm library listings answered before FastAPI's routing.

A listing the cache holds (``cache.py``) still costs the app more than Navidrome takes
to answer it: matching the route, solving the route's nine dependencies, merging the
user into a database session, validating and serialising the page (~0.3 ms of
CPU, three times what uvicorn spends to answer at all). So a route whose answer is a
pure function of the user's cached listings marks it with ``repeatable``, the
middleware keeps its bytes in that user's listing cache, and the next identical GET
of the same user gets those bytes again without reaching the routing.

What keeps this from ever answering what the ordinary way would refuse or change:

- Who is asking comes from the principal cache alone (``remembered_user_id``): a
  cookie or token it does not hold for sure (unknown, ended, disabled, due its
  last-seen update, a malformed header) goes the ordinary way, where the
  dependencies ask the database.
- The bytes are that user's entries in the listing cache: dropped with the listings
  they were made from (the user's star, rating or Navidrome account; everyone's
  after a scan; in every process; after the cache's time limit), and not kept if
  anything was dropped while they were made.
- Only GET, the same path and query to the byte, a 200 answer with no cookie, and
  only what a route marked: no random order, no audio.

Hand-written because the caching middlewares found (asgi-caches, fastapi-cache) key
answers by URL for everyone or run after the routing and dependencies, which is the
cost this saves.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers, State
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tastemaker.auth.deps import SESSION_COOKIE
from tastemaker.auth.principal_cache import PrincipalCache

PREFIX = "/api/library/"
_OWNER = "repeatable_for"  # request.state: the user whose listings the answer shows


def repeatable(request: Request, owner: int) -> None:
    """This answer shows only ``owner``'s cached listings: the same GET of the same
    user may get it again until those listings are dropped."""
    setattr(request.state, _OWNER, owner)


@dataclass(frozen=True)
class _Answer:
    headers: list[tuple[bytes, bytes]]
    body: bytes


class RepeatedAnswersMiddleware:
    """``state``: the app's, whose ``principals`` and ``library_cache`` the lifespan sets."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PREFIX)
            or not hasattr(self.state, "principals")  # outside the lifespan
        ):
            await self.app(scope, receive, send)
            return
        cache = self.state.library_cache
        key = ("answer", scope["path"], scope["query_string"])
        user_id = self._user_id(Headers(scope=scope))
        if user_id is not None:
            answer = cache.peek(user_id, key)
            if isinstance(answer, _Answer):
                await send(
                    {"type": "http.response.start", "status": 200, "headers": answer.headers}
                )
                await send({"type": "http.response.body", "body": answer.body})
                return

        since = cache.generation
        request_state = scope.setdefault("state", {})
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if (
                    message["status"] == 200
                    and _OWNER in request_state
                    and not any(name.lower() == b"set-cookie" for name, _ in headers)
                ):
                    start = message
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answer = _Answer(list(start["headers"]), b"".join(chunks))
                    cache.put(request_state[_OWNER], key, answer, since=since)
            await send(message)

        await self.app(scope, receive, keeping_send)

    def _user_id(self, headers: Headers) -> int | None:
        """As ``auth.deps.optional_principal`` reads credentials: a Bearer token first,
        else the session cookie."""
        principals: PrincipalCache = self.state.principals
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, token = get_authorization_scheme_param(authorization)
            if scheme.lower() != "bearer" or not token:
                return None  # the ordinary way says what is wrong with it
            return principals.remembered_user_id(api_token=token)
        cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        if not cookie:
            return None
        return principals.remembered_user_id(session_token=cookie)
