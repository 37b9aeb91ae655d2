"""The ``tastemaker`` command: users and tokens made on the command line work in the API."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from tastemaker.cli import app as cli
from tastemaker.settings import Settings
from tests.conftest import PASSWORD, make_user


async def invoke(runner: CliRunner, args: list[str]) -> Result:
    """Run the command in a thread, as from a shell: it starts its own event loop."""
    return await asyncio.to_thread(lambda: runner.invoke(cli, args))


@pytest.fixture
def runner(settings: object, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-not-for-production")
    return CliRunner()


async def test_users_create_then_token_gives_api_access(
    runner: CliRunner, client: httpx.AsyncClient, app: FastAPI
) -> None:
    created = await invoke(runner, ["users", "create", "carol", "--admin", "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    assert "Created admin carol" in created.output

    token = await invoke(runner, ["users", "token", "carol", "--name", "ci"])
    assert token.exit_code == 0, token.output

    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {token.output.strip()}"}
    )
    assert me.status_code == 200
    assert me.json()["user"] == me.json()["user"] | {"username": "carol", "role": "admin"}


async def test_a_taken_user_name_is_a_clear_error(
    runner: CliRunner, client: httpx.AsyncClient
) -> None:
    await invoke(runner, ["users", "create", "dave", "--password", PASSWORD])

    again = await invoke(runner, ["users", "create", "Dave", "--password", PASSWORD])

    assert again.exit_code == 1
    assert "taken" in again.output


async def test_a_token_for_an_unknown_user_is_refused(
    runner: CliRunner, client: httpx.AsyncClient
) -> None:
    result = await invoke(runner, ["users", "token", "nobody"])

    assert result.exit_code != 0
    assert "no user named" in result.output


async def test_recommend_runs_the_pipeline_and_prints_the_cards(
    stack_settings: Settings,
    stack_app: FastAPI,
    stack_client: httpx.AsyncClient,  # empties the tables afterwards
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_user(stack_app, "carol")
    for name, value in stack_settings.model_dump().items():
        if name.startswith(("navidrome_", "lidarr_", "ollama_")) and value is not None:
            secret = getattr(value, "get_secret_value", None)
            monkeypatch.setenv(name.upper(), secret() if secret else str(value))
    monkeypatch.setenv("DATABASE_URL", stack_settings.resolved_database_url)
    monkeypatch.setenv("SECRET_KEY", stack_settings.resolved_secret_key)

    result = await invoke(CliRunner(), ["recommend", "carol"])

    assert result.exit_code == 0, result.output
    assert "completed" in result.output
    assert result.output.count("• ") >= 1
