"""The Subsonic simulator's ASGI app: one ``/rest/{method}`` route, Navidrome's rules.

``GET`` with query parameters and ``POST`` with a form (Navidrome's ``formPost``
extension) both work, with or without the ``.view`` suffix. Failures are
envelopes with HTTP 200; an unknown method is a plain-text 404, as Navidrome's
router answers. ``/_sim/faults`` makes every ``/rest`` call misbehave, for fault tests
(see ``simulators/faults.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

# Importing the handler modules registers their methods.
from tastemaker.simulators.faults import Faults, Voice, add_fault_routes, misbehave
from tastemaker.simulators.subsonic import browse, lists, media, system, usermarks
from tastemaker.simulators.subsonic.auth import authenticate
from tastemaker.simulators.subsonic.context import HANDLERS, NO_AUTH, Ctx, Simulator, SubsonicConfig
from tastemaker.simulators.subsonic.library import Library
from tastemaker.simulators.subsonic.responses import SubsonicError, envelope, render
from tastemaker.simulators.subsonic.state import State, seed_demo

logger = logging.getLogger(__name__)
# How Navidrome's failures look: its Go router's plain-text errors, and JSON that is
# not a Subsonic envelope (see simulators/faults.py).
NAVIDROME_VOICE = Voice(
    error=lambda status: PlainTextResponse(f"{status} simulated failure", status_code=status),
    wrong_shape=lambda: JSONResponse({"unexpected": "shape"}),
    truncated=b'{"subsonic-response": {"status": "ok", "version": "1.16.1", "artis',
)
_HANDLER_MODULES = (browse, lists, media, system, usermarks)


def create_app(library: Library, config: SubsonicConfig | None = None) -> FastAPI:
    """A Navidrome stand-in serving ``library``; state starts seeded unless told otherwise."""
    config = config or SubsonicConfig()
    state = State(list(config.accounts))
    if config.demo_state:
        seed_demo(state, library, [account.username for account in config.accounts])
    sim = Simulator(library=library, state=state, config=config)
    app = FastAPI(title="Subsonic simulator", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.subsonic = sim

    @app.api_route("/rest/{name}", methods=["GET", "POST"], include_in_schema=False)
    async def dispatch(name: str, request: Request) -> Response:
        return await misbehave(
            sim.faults, NAVIDROME_VOICE, request.method, lambda: answer(name, request)
        )

    async def answer(name: str, request: Request) -> Response:
        params = MultiDict(request.query_params.multi_items())
        if request.method == "POST":
            form = await request.form()
            params = MultiDict([*params.multi_items(), *form.multi_items()])
        ctx = Ctx(sim=sim, params=params, request=request)
        ctx.fmt = "json" if ctx.get("f") in ("json", "jsonp") else "xml"
        handler = HANDLERS.get(name.removesuffix(".view"))
        if handler is None:
            return PlainTextResponse("404 page not found", status_code=404)
        try:
            if name.removesuffix(".view") not in NO_AUTH:
                ctx.account = authenticate(ctx)
            payload = await handler(ctx)
        except SubsonicError as error:
            failure = {"error": {"code": error.code, "message": error.message}}
            return render(envelope(config.server_version, failure, failed=True), ctx.fmt)
        if isinstance(payload, Response):
            return payload
        headers = (payload or {}).pop("__headers__", None)
        return render(envelope(config.server_version, payload), ctx.fmt, headers)

    def set_faults(faults: Faults) -> None:
        sim.faults = faults

    add_fault_routes(app, lambda: sim.faults, set_faults)
    return app


def create_app_for_directory(root: Path, config: SubsonicConfig | None = None) -> FastAPI:
    """Scan the tagged files under ``root`` and serve them (``startScan`` rescans it)."""
    return create_app(Library.from_directory(root), config)
