"""Fixtures for the Ollama tests: the simulator on a loopback port, its control, the spec.

One simulator serves the whole session; every test starts it from its normal mode
(``POST /_sim/reset``), and switches misbehaviour over HTTP like a demo would.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from tastemaker.integrations.ollama import OllamaClient
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.ollama import OllamaSimConfig, create_app
from tastemaker.simulators.runner import BackgroundServer, bind_loopback

MODEL = "llama3.2"  # pulled on the simulator as llama3.2:latest
TIMEOUT = 5.0


def specs_dir() -> Path:
    configured = os.environ.get("TASTEMAKER_SPECS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "specs"


class OllamaSpec:
    """Validates JSON values against the component schemas of ``ollama-openapi.yaml``."""

    def __init__(self, path: Path) -> None:
        self.document: dict[str, Any] = yaml.safe_load(path.read_text())

    def errors(self, component: str, value: Any) -> list[str]:
        schema = {
            "$ref": f"#/components/schemas/{component}",
            "components": self.document["components"],
        }
        validator = Draft202012Validator(schema)
        return [
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(value)
        ]


@pytest.fixture(scope="session")
def spec() -> OllamaSpec:
    path = specs_dir() / "ollama-openapi.yaml"
    if not path.exists():
        pytest.fail(f"{path} is missing; set TASTEMAKER_SPECS_DIR to the specs folder")
    return OllamaSpec(path)


@pytest.fixture(scope="session")
def sim_url() -> Iterator[str]:
    # No token delay: tests that need slowness ask for it through /_sim/mode.
    with BackgroundServer(create_app(OllamaSimConfig(token_delay=0.0))) as server:
        yield server.url


SetMode = Callable[..., dict[str, Any]]


@pytest.fixture(autouse=True)
def sim_mode(sim_url: str) -> Iterator[SetMode]:
    """``sim_mode("slow", slow_token_delay=0.02)`` switches the running simulator."""

    def switch(mode: str, **settings: Any) -> dict[str, Any]:
        response = httpx.post(f"{sim_url}/_sim/mode", json={"mode": mode, **settings})
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    httpx.post(f"{sim_url}/_sim/reset").raise_for_status()
    yield switch
    httpx.post(f"{sim_url}/_sim/reset").raise_for_status()


@pytest.fixture
async def client(sim_url: str, sim_mode: SetMode) -> AsyncIterator[OllamaClient]:
    async with OllamaClient(sim_url, MODEL, timeout=TIMEOUT) as ollama_client:
        yield ollama_client


@pytest.fixture
def chat_requests(sim_url: str) -> Callable[[], list[dict[str, Any]]]:
    """The chat request bodies the simulator received, oldest first."""

    def received() -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = httpx.get(f"{sim_url}/_sim/requests").json()["requests"]
        return answer

    return received


class Item(BaseModel):
    """One recommendation as the pipeline (issue 6) asks for it."""

    artist: str
    album: str | None = None
    reason: str
    similar_to: list[str]


class Recommendations(BaseModel):
    items: list[Item]


@pytest.fixture(scope="session")
def pipeline_schema() -> dict[str, Any]:
    """The ``format`` the pipeline sends: pydantic's schema, with ``$defs`` and ``anyOf``."""
    return Recommendations.model_json_schema()


@pytest.fixture(scope="session")
def taste_messages() -> list[dict[str, str]]:
    """A prompt naming four artists the demo user owns, asking for five recommendations."""
    names = ", ".join(artist.name for artist in owned_artists()[:4])
    return [
        {"role": "system", "content": "You recommend music. Answer only with JSON."},
        {
            "role": "user",
            "content": f"I mostly listen to {names}. Give me 5 recommendations of artists "
            "I do not own yet, each with a reason and the artists it is similar to.",
        },
    ]


@pytest.fixture(scope="session")
def closed_port_url() -> str:
    """A loopback URL where nothing listens: bind a port, then free it."""
    sock = bind_loopback()
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
