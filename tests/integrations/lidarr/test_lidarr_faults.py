"""When Lidarr is down, slow, locked out or talking nonsense, the client says so clearly."""

from __future__ import annotations

import socket

import httpx
import pytest

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceError,
    ServiceTimeout,
    ServiceUnavailable,
)
from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.simulators.lidarr import Faults

from .conftest import API_KEY, Sim


def assert_clear(error: ServiceError, *phrases: str) -> None:
    """Names Lidarr, says what to check, and never leaks the key."""
    message = str(error)
    assert error.service == "lidarr"
    assert "Lidarr" in message
    for phrase in phrases:
        assert phrase in message
    assert API_KEY not in message
    assert API_KEY not in repr(error.extra)


async def test_a_wrong_api_key_is_reported_as_such(sim: Sim) -> None:
    async with LidarrClient(sim.url, "wrong-key") as lidarr:
        with pytest.raises(ServiceAuthFailed) as caught:
            await lidarr.system_status()
    assert_clear(caught.value, "rejected the API key", "Settings → Services")


async def test_a_stopped_lidarr_is_unreachable() -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with LidarrClient(f"http://127.0.0.1:{port}", API_KEY) as lidarr:
        with pytest.raises(ServiceUnavailable) as caught:
            await lidarr.root_folders()
    assert_clear(caught.value, f"127.0.0.1:{port}", "running")


async def test_a_slow_lidarr_times_out(sim: Sim) -> None:
    sim.config.faults = Faults(delay_seconds=1.0)
    async with LidarrClient(sim.url, API_KEY, timeout=0.3) as lidarr:
        with pytest.raises(ServiceTimeout) as caught:
            await lidarr.system_status()
    assert_clear(caught.value, "did not answer within 0.3 s")


async def test_a_server_error_carries_lidarrs_message(sim: Sim) -> None:
    sim.config.faults = Faults(status_code=500)
    async with LidarrClient(sim.url, API_KEY) as lidarr:
        with pytest.raises(ServiceBadResponse) as caught:
            await lidarr.queue()
    assert_clear(caught.value, "HTTP 500", "database is locked", "logs")


@pytest.mark.parametrize(
    ("garbage", "phrase"),
    [("html", "not JSON"), ("truncated", "not JSON"), ("wrong_shape", "wrong shape")],
)
async def test_garbage_answers_are_bad_responses(sim: Sim, garbage: str, phrase: str) -> None:
    async with httpx.AsyncClient() as http:  # the control endpoint, over HTTP
        answer = await http.put(f"{sim.url}/_sim/faults", json={"garbage": garbage})
        assert answer.json()["garbage"] == garbage
    lidarr = LidarrClient(sim.url, API_KEY)
    with pytest.raises(ServiceBadResponse) as caught:
        await lidarr.artists()
    assert_clear(caught.value, phrase, "points at Lidarr")
    async with httpx.AsyncClient() as http:
        await http.delete(f"{sim.url}/_sim/faults")
    assert await lidarr.artists() == []  # healthy again once the fault is cleared
    await lidarr.aclose()
