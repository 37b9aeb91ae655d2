"""Logging for ``serve`` and ``demo``: plain text by default, JSON lines when
``LOG_FORMAT=json`` (for log collectors), one format for the app and uvicorn alike."""

from __future__ import annotations

import logging.config
from typing import Any

from tastemaker.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# The process id tells apart the lines of `serve --workers N`'s processes.
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"


def logging_config(settings: Settings) -> dict[str, Any]:
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "process": "pid",
            },
        }
        if settings.log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "default"}},
        "root": {"handlers": ["default"], "level": settings.log_level},
        "loggers": {
            # uvicorn's own handlers would print a second, differently formatted line.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            # httpx logs every request URL at INFO; keep it quiet unless debugging.
            "httpx": {"level": "WARNING" if settings.log_level != "DEBUG" else "DEBUG"},
        },
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
