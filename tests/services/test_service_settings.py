"""Settings → Services: admins connect services; saving tests first; secrets stay secret."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import User
from tastemaker.simulators.runner import bind_loopback
from tests.conftest import api_login, make_user
from tests.services.conftest import LIDARR_KEY

PROBLEM = "application/problem+json"


def closed_port_url() -> str:
    sock = bind_loopback()
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


async def test_saving_lidarr_tests_it_and_never_sends_the_key_back(
    client: httpx.AsyncClient, signed_in_admin: str, lidarr_url: str
) -> None:
    response = await client.put(
        "/api/settings/services",
        json={"lidarr": {"url": lidarr_url, "api_key": LIDARR_KEY}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 200, response.text
    assert LIDARR_KEY not in response.text
    lidarr = next(s for s in response.json()["services"] if s["key"] == "lidarr")
    assert lidarr["configured"] is True
    api_key = next(f for f in lidarr["fields"] if f["key"] == "api_key")
    assert api_key == api_key | {"value": None, "is_set": True, "secret": True}
    page = await client.get("/settings/services")
    assert LIDARR_KEY not in page.text

    tested = await client.post(
        "/api/settings/services/lidarr/test", headers={"X-CSRF-Token": signed_in_admin}
    )
    assert tested.status_code == 200
    assert tested.json()["version"]
    assert ["/music", "/music"] in tested.json()["choices"]["root_folder"]


async def test_the_key_is_encrypted_at_rest(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str, lidarr_url: str
) -> None:
    from sqlalchemy import select

    from tastemaker.services.models import ServiceSetting

    await client.put(
        "/api/settings/services",
        json={"lidarr": {"url": lidarr_url, "api_key": LIDARR_KEY}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    async with app.state.db.sessionmaker() as session:
        stored = (await session.scalars(select(ServiceSetting.value))).all()
    assert stored
    assert all(LIDARR_KEY not in value for value in stored)


async def test_a_wrong_key_is_refused_with_a_clear_message_and_nothing_is_saved(
    client: httpx.AsyncClient, signed_in_admin: str, lidarr_url: str
) -> None:
    response = await client.put(
        "/api/settings/services",
        json={"lidarr": {"url": lidarr_url, "api_key": "wrong-key"}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "service_auth_failed"
    assert response.json()["service"] == "lidarr"
    assert "Lidarr rejected the API key" in response.json()["detail"]
    assert "wrong-key" not in response.text
    services = (await client.get("/api/settings/services")).json()["services"]
    assert next(s for s in services if s["key"] == "lidarr")["configured"] is False


async def test_a_service_that_is_down_is_named(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    response = await client.post(
        "/api/settings/services/ollama/test",
        json={"values": {"url": closed_port_url(), "model": "llama3.2"}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert "Ollama" in response.json()["detail"]


async def test_ollama_reports_its_models_and_a_missing_one(
    client: httpx.AsyncClient, signed_in_admin: str, ollama_url: str
) -> None:
    response = await client.post(
        "/api/settings/services/ollama/test",
        json={"values": {"url": ollama_url, "model": "mistral"}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 200
    assert ["llama3.2:latest", "llama3.2:latest"] in response.json()["choices"]["model"]
    assert any("mistral is not pulled" in w for w in response.json()["warnings"])


async def test_bad_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    response = await client.put(
        "/api/settings/services",
        json={"ollama": {"url": "ftp://nope"}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"


async def test_only_admins_see_or_change_services(
    app: FastAPI, client: httpx.AsyncClient, admin: User, lidarr_url: str
) -> None:
    await make_user(app, "bob")
    csrf = await api_login(client, "bob")

    read = await client.get("/api/settings/services")
    write = await client.put(
        "/api/settings/services",
        json={"lidarr": {"url": lidarr_url, "api_key": LIDARR_KEY}},
        headers={"X-CSRF-Token": csrf},
    )
    page = await client.get("/settings/services")

    assert read.status_code == write.status_code == page.status_code == 403
    assert read.json()["code"] == "forbidden"


async def test_health_names_each_service(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["lidarr"]["status"] == "down"
    assert "not configured" in body["components"]["lidarr"]["detail"]
    assert body["status"] == "degraded"


async def test_the_page_tests_then_saves_and_offers_lidarrs_own_choices(
    client: httpx.AsyncClient, signed_in_admin: str, lidarr_url: str
) -> None:
    tested = await client.post(
        "/settings/services/lidarr",
        data={
            "url": lidarr_url,
            "api_key": LIDARR_KEY,
            "action": "test",
            "csrf_token": signed_in_admin,
        },
    )
    assert tested.status_code == 200
    assert "Connection works" in tested.text
    assert '<option value="/music"' in tested.text, "root folders come from Lidarr"

    wrong = await client.post(
        "/settings/services/lidarr",
        data={
            "url": lidarr_url,
            "api_key": "nope",
            "action": "save",
            "csrf_token": signed_in_admin,
        },
    )
    assert wrong.status_code == 422
    assert "nothing was saved" in wrong.text
    assert "Lidarr rejected the API key" in wrong.text

    saved = await client.post(
        "/settings/services/lidarr",
        data={
            "url": lidarr_url,
            "api_key": LIDARR_KEY,
            "action": "save",
            "csrf_token": signed_in_admin,
        },
    )
    assert "Lidarr saved" in saved.text
    assert LIDARR_KEY not in saved.text


async def test_admins_see_a_banner_when_a_configured_service_is_down(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str, ollama_url: str
) -> None:
    saved = await client.put(
        "/api/settings/services",
        json={"ollama": {"url": ollama_url, "model": "llama3.2"}},
        headers={"X-CSRF-Token": signed_in_admin},
    )
    assert saved.status_code == 200
    assert "is down" not in (await client.get("/")).text

    # The server goes away: the next health check notices and names it.
    async with app.state.db.sessionmaker() as session:
        from sqlalchemy import update

        from tastemaker.services.models import ServiceSetting

        await session.execute(
            update(ServiceSetting)
            .where(ServiceSetting.service == "ollama", ServiceSetting.key == "url")
            .values(value=closed_port_url())
        )
        await session.commit()
    app.state.services.invalidate("ollama")
    await client.get("/api/health")

    page = await client.get("/")
    assert "Ollama is down" in page.text
    assert "not reachable" in page.text


async def test_the_lidarr_webhook_can_be_connected_from_the_services_page(
    stack_client: httpx.AsyncClient, stack_app: FastAPI
) -> None:
    from tastemaker.auth.models import Role

    await make_user(stack_app, "root", Role.ADMIN)
    csrf = await api_login(stack_client, "root")
    page = await stack_client.get("/settings/services")
    assert "Connect Lidarr webhook" in page.text

    # Lidarr tests the hook first; it cannot reach this in-process test client, and says so.
    response = await stack_client.post(
        "/downloads/webhook", data={"next": "/settings/services", "csrf_token": csrf}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/settings/services"
    after = await stack_client.get("/settings/services")
    assert "Not connected" in after.text
