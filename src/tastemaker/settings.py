"""The one settings object, read from environment variables and ``.env``.

Every variable is documented in ``.env.example``. Service connection values set
here are defaults: admins can change them in Settings → Services (stored in the
database), except those given by environment, which show as locked.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    # Core
    data_dir: Path = Field(
        Path("data"), description="Where the SQLite file and the secret key live"
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy async URL; default: SQLite file in DATA_DIR"
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs and encrypts; generated into DATA_DIR on first run when unset"
    )
    base_path: str = Field("", description="Sub-path when served behind a proxy, e.g. /tastemaker")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    # Sign-in
    session_idle_minutes: int = Field(60 * 24 * 7, ge=5)
    session_max_days: int = Field(30, ge=1)
    login_max_attempts: int = Field(
        5, ge=1, description="Failed sign-ins per name+client per window"
    )
    login_window_seconds: int = Field(300, ge=10)
    force_secure_cookies: bool = False

    # Services (defaults; admins may override in the UI unless set here)
    navidrome_url: str | None = None
    navidrome_user: str | None = None
    navidrome_password: SecretStr | None = None
    navidrome_auth: Literal["auto", "token", "password"] | None = None
    navidrome_sign_in: bool = Field(
        False, description="Let people sign in with their Navidrome name and password"
    )
    lidarr_url: str | None = None
    lidarr_api_key: SecretStr | None = None
    ollama_url: str | None = None
    ollama_model: str | None = None
    # Listening sources (optional): ListenBrainz needs no key, Last.fm an API key.
    listenbrainz_url: str | None = None
    listenbrainz_labs_url: str | None = None
    lastfm_url: str | None = None
    lastfm_api_key: SecretStr | None = None
    service_timeout_seconds: float = Field(10.0, gt=0)
    ollama_timeout_seconds: float = Field(120.0, gt=0)

    # Deployment: behind a proxy, several processes
    workers: int = Field(
        1, ge=1, description="Processes `tastemaker serve` starts (more than 1 needs PostgreSQL)"
    )
    background_work: Literal["elected", "always", "never"] = Field(
        "elected",
        description="elected: one process among all on the database runs the background work; "
        "never: this process only serves requests; always: skip the election (one process alone)",
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses or networks (comma-separated, * for any) whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed",
    )
    shutdown_timeout_seconds: float = Field(
        30.0, gt=0, description="On stop, how long requests in flight (streams) may finish"
    )

    @field_validator("base_path")
    @classmethod
    def _normalise_base_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            value = "/" + value
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tastemaker.db').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The secret key: from the environment, else read or created in the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        return key

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
