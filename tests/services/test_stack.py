"""The app wired to all three simulators reports every service healthy."""

from __future__ import annotations

import httpx


async def test_every_service_is_ok_on_the_simulators(stack_client: httpx.AsyncClient) -> None:
    response = await stack_client.get("/api/health")

    assert response.status_code == 200
    components = response.json()["components"]
    assert {name: c["status"] for name, c in components.items()} == {
        "database": "ok",
        "navidrome": "ok",
        "lidarr": "ok",
        "ollama": "ok",
    }
