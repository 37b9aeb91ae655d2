"""``.env.example`` documents every setting, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from tastemaker.settings import Settings
from tests.conftest import REPO_ROOT


def test_env_example_documents_every_setting() -> None:
    text = (REPO_ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    expected = {name.upper() for name in Settings.model_fields}

    assert documented == expected


def test_the_secret_key_is_generated_once_into_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path
    first = Settings(_env_file=None, data_dir=data_dir).resolved_secret_key
    second = Settings(_env_file=None, data_dir=data_dir).resolved_secret_key

    assert len(first) >= 32
    assert first == second
    assert (data_dir / "secret_key").stat().st_mode & 0o077 == 0, "only the owner can read it"
