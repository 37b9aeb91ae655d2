"""The client's clear errors: server down, slow, garbage answers, and no leaked credentials.

The misbehaving peer is a tiny ASGI app on a loopback port, so the client meets
the failures over real HTTP, the way it would meet a broken proxy or a wrong URL.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.simulators.runner import BackgroundServer
from tests.servers.navidrome import SubsonicServer, free_port

ACCOUNT = NavidromeCredentials("someone", "hunter2-secret")


async def _misbehave(request: Request) -> Response:
    mode = request.path_params["mode"]
    if mode == "slow":
        await asyncio.sleep(3)
        return JSONResponse({})
    if mode == "html":
        return HTMLResponse("<html><body>Welcome to nginx!</body></html>")
    if mode == "crash":
        return PlainTextResponse("Internal Server Error", status_code=500)
    return JSONResponse({"unexpected": True})


@pytest.fixture(scope="module")
def broken_server() -> Iterator[str]:
    app = Starlette(routes=[Route("/{mode}/rest/{method}", _misbehave)])
    with BackgroundServer(app) as server:
        yield server.url


async def test_a_server_that_is_down_is_unavailable_with_its_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with httpx.AsyncClient() as http:
        client = NavidromeClient(http, url, ACCOUNT)
        with pytest.raises(ServiceUnavailable) as caught:
            await client.ping()

    assert f"Could not reach Navidrome at {url}" in caught.value.detail


async def test_a_slow_server_times_out(broken_server: str) -> None:
    async with httpx.AsyncClient() as http:
        client = NavidromeClient(http, f"{broken_server}/slow", ACCOUNT, timeout=0.3)
        with pytest.raises(ServiceTimeout, match=r"did not answer within 0\.3 s"):
            await client.ping()


@pytest.mark.parametrize("mode", ["html", "crash", "json"])
async def test_garbage_answers_are_bad_responses(broken_server: str, mode: str) -> None:
    async with httpx.AsyncClient() as http:
        client = NavidromeClient(http, f"{broken_server}/{mode}", ACCOUNT)
        with pytest.raises(ServiceBadResponse, match="Navidrome"):
            await client.album_list("newest")


async def test_a_client_without_an_account_says_so() -> None:
    async with httpx.AsyncClient() as http:
        client = NavidromeClient(http, "http://127.0.0.1:9")
        with pytest.raises(ServiceAuthFailed, match="No Navidrome account is set"):
            await client.ping()


async def test_a_user_without_permission_is_told_so(
    simulator_second_user: SubsonicServer,
) -> None:
    guest = NavidromeCredentials(simulator_second_user.user, simulator_second_user.password)
    async with httpx.AsyncClient() as http:
        client = NavidromeClient(http, simulator_second_user.url, guest)
        with pytest.raises(ServiceRejected, match="not allowed"):
            await client.start_scan()


async def test_credentials_never_reach_the_logs(
    caplog: pytest.LogCaptureFixture,
    supysonic_server: SubsonicServer,
    subsonic_simulator: SubsonicServer,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient() as http:
        for peer in (supysonic_server, subsonic_simulator):
            client = NavidromeClient(http, peer.url, NavidromeCredentials(peer.user, peer.password))
            await client.ping()
            album = (await client.album_list("newest", size=1)).album[0]
            async with client.cover_art(album.cover_art or "") as cover:
                await cover.read()
            wrong = client.as_user(NavidromeCredentials(peer.user, "wrong-" + peer.password))
            with pytest.raises(ServiceAuthFailed):
                await wrong.ping()

    logged = caplog.text
    assert "HTTP Request" in logged  # httpx did log every request…
    for peer in (supysonic_server, subsonic_simulator):  # …without a password, plain or hex
        assert peer.password not in logged
        assert peer.password.encode().hex() not in logged
    assert not re.search(r"[?&][tsp]=(?!\*\*\*)", logged)  # no token, salt or password value
