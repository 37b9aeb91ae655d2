"""The container files agree with the settings (no Docker engine runs here)."""

from __future__ import annotations

import re

import yaml

from tastemaker.settings import Settings
from tests.conftest import REPO_ROOT

SETTINGS = {name.upper() for name in Settings.model_fields}


def test_compose_sets_only_real_settings_and_uses_documented_variables() -> None:
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())
    environment = compose["services"]["tastemaker"]["environment"]
    documented = set(
        re.findall(r"^([A-Z][A-Z0-9_]*)=", (REPO_ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    referenced = set(re.findall(r"\$\{([A-Z0-9_]+)", (REPO_ROOT / "compose.yaml").read_text()))

    assert set(environment) <= SETTINGS, set(environment) - SETTINGS
    # Every ${VAR} is documented, except the database's own password (compose-only).
    assert referenced - {"POSTGRES_PASSWORD"} <= documented, referenced - documented


def test_the_dockerfile_builds_like_the_makefile() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()

    assert "npm ci" in dockerfile
    assert "npm run build" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.MULTILINE), "runs as a non-root user"
    assert 'VOLUME ["/data"]' in dockerfile
    uv_pin = re.search(r"UV_VERSION := (\S+)", (REPO_ROOT / "Makefile").read_text())
    assert uv_pin
    assert f"uv=={uv_pin.group(1)}" in dockerfile
