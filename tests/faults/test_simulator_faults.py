"""The simulators misbehave as the fault matrix says: each fault seen straight on the wire."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.servers.stack import SimStack

NAVIDROME_PING = "/rest/ping?u=demo&p=tastemaker-demo&v=1.16.1&c=test&f=json"


@pytest.fixture
async def navidrome(sim_stack: SimStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sim_stack.navidrome_url, timeout=5) as http:
        yield http
        await http.delete("/_sim/faults")


async def test_navidrome_answers_normally_without_faults(navidrome: httpx.AsyncClient) -> None:
    answer = await navidrome.get(NAVIDROME_PING)

    assert answer.json()["subsonic-response"]["status"] == "ok"


async def test_navidrome_fails_with_the_status_it_is_told(navidrome: httpx.AsyncClient) -> None:
    await navidrome.put("/_sim/faults", json={"status_code": 500})

    assert (await navidrome.get(NAVIDROME_PING)).status_code == 500


@pytest.mark.parametrize(
    ("garbage", "check"),
    [
        ("html", lambda a: a.headers["content-type"].startswith("text/html")),
        ("truncated", lambda a: a.text.startswith('{"subsonic-response"') and "}" not in a.text),
        ("wrong_shape", lambda a: "subsonic-response" not in a.json()),
    ],
)
async def test_navidrome_answers_garbage(
    navidrome: httpx.AsyncClient, garbage: str, check: Callable[[httpx.Response], bool]
) -> None:
    await navidrome.put("/_sim/faults", json={"garbage": garbage})

    answer = await navidrome.get(NAVIDROME_PING)

    assert answer.status_code == 200
    assert check(answer)


async def test_navidrome_holds_its_answer_back(navidrome: httpx.AsyncClient) -> None:
    await navidrome.put("/_sim/faults", json={"delay_seconds": 1.0})

    with pytest.raises(httpx.ReadTimeout):
        await navidrome.get(NAVIDROME_PING, timeout=0.3)


async def test_navidrome_closes_the_connection_mid_answer(navidrome: httpx.AsyncClient) -> None:
    await navidrome.put("/_sim/faults", json={"disconnect": True})

    with pytest.raises(httpx.RemoteProtocolError):
        await navidrome.get(NAVIDROME_PING)


async def test_lidarr_closes_the_connection_mid_answer(sim_stack: SimStack) -> None:
    async with httpx.AsyncClient(base_url=sim_stack.lidarr_url) as http:
        await http.put("/_sim/faults", json={"disconnect": True})
        try:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get("/api/v1/system/status", headers={"X-Api-Key": "stack-lidarr-key"})
        finally:
            await http.delete("/_sim/faults")


async def test_ollama_answers_an_html_page_in_garbage_mode(sim_stack: SimStack) -> None:
    chat = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(base_url=sim_stack.ollama_url) as http:
        await http.post("/_sim/mode", json={"mode": "garbage"})
        try:
            answer = await http.post("/api/chat", json=chat)
        finally:
            await http.post("/_sim/reset")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")


async def test_lidarr_can_fail_only_its_writes(sim_stack: SimStack) -> None:
    key = {"X-Api-Key": "stack-lidarr-key"}
    async with httpx.AsyncClient(base_url=sim_stack.lidarr_url, headers=key) as http:
        await http.put("/_sim/faults", json={"status_code": 503, "methods": ["POST"]})
        try:
            read = await http.get("/api/v1/system/status")
            write = await http.post("/api/v1/command", json={"name": "RefreshArtist"})
        finally:
            await http.delete("/_sim/faults")

    assert (read.status_code, write.status_code) == (200, 503)
