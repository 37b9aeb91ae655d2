"""Logs: plain text by default, one JSON object per line with LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from tastemaker.logs import configure_logging, logging_config
from tastemaker.settings import Settings


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Put back every logger ``configure_logging`` touches, not only the root: a
    leftover ``httpx`` level of WARNING hides httpx's records from later tests."""
    names = ["", *logging_config(Settings(_env_file=None))["loggers"]]
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate, logger.disabled)
        for name in names
        for logger in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def test_json_logs_are_one_object_per_line(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(_env_file=None, log_format="json"))

    logging.getLogger("tastemaker.test").warning("Lidarr is down")

    line = capfd.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "Lidarr is down"
    assert record["level"] == "WARNING"
    assert record["logger"] == "tastemaker.test"


def test_text_logs_by_default(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(_env_file=None))

    logging.getLogger("tastemaker.test").warning("plain")

    line = capfd.readouterr().err.strip().splitlines()[-1]
    assert line.endswith("WARNING tastemaker.test: plain")
