"""What a Subsonic method handler gets: parameters, the caller, the library and state.

Handlers register by Subsonic method name with :func:`method`; the app's single
``/rest/{method}`` route looks them up. That keeps each handler a plain function
and the Subsonic parameter rules (repeated keys, "missing is error 10") in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import Response

from tastemaker.simulators.faults import Faults
from tastemaker.simulators.subsonic.library import Library
from tastemaker.simulators.subsonic.responses import SubsonicError, missing
from tastemaker.simulators.subsonic.state import Account, State, UserState

DEFAULT_ACCOUNTS = (
    Account("demo", "tastemaker-demo", admin=True, email="demo@example.invalid"),
    Account("guest", "guest-listener", admin=False),
)


@dataclass
class SubsonicConfig:
    accounts: tuple[Account, ...] = DEFAULT_ACCOUNTS
    server_version: str = "0.58.0 (tastemaker-simulator)"
    folder_name: str = "Music Library"
    # Give each account a listening history at start (the demo); tests may turn it off.
    demo_state: bool = True
    # Covers drawn for metadata-only albums, and thumbnails, are cached up to this many.
    cover_cache_size: int = 512
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Simulator:
    """Everything the handlers share; lives on ``app.state.subsonic``."""

    library: Library
    state: State
    config: SubsonicConfig
    scan_task: Any = None
    scan_started: Any = None
    faults: Faults = field(default_factory=Faults)  # see simulators/faults.py

    @property
    def root(self) -> Path | None:
        return self.library.root


@dataclass
class Ctx:
    sim: Simulator
    params: MultiDict
    request: Request
    account: Account | None = None
    fmt: str = "json"

    @property
    def library(self) -> Library:
        return self.sim.library

    @property
    def username(self) -> str:
        assert self.account is not None
        return self.account.username

    @property
    def user(self) -> UserState:
        return self.sim.state.user(self.username)

    def get(self, name: str) -> str | None:
        value = self.params.get(name)
        return None if value is None else str(value)

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise missing(name)
        return value

    def all(self, name: str) -> list[str]:
        return [str(value) for value in self.params.getlist(name) if str(value) != ""]

    def int(self, name: str, default: int) -> int:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise SubsonicError(0, f"invalid value for '{name}': {value}") from None

    def bool(self, name: str, default: bool) -> bool:
        value = self.get(name)
        return default if value is None or value == "" else value.lower() in ("true", "1")


Payload = dict[str, Any] | Response | None
Handler = Callable[[Ctx], Awaitable[Payload]]
HANDLERS: dict[str, Handler] = {}
# Methods Navidrome answers without credentials.
NO_AUTH = {"getOpenSubsonicExtensions"}


def method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register
