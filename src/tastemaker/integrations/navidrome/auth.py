"""Subsonic credentials and the query parameters that carry them.

Token auth (``t`` = md5(password + salt), fresh ``s`` per request) keeps the
password off the wire, so it is the default. supysonic (and some other classic
servers) only know password auth (``p``), which we always send hex-encoded
(``enc:…``) so it is not readable at a glance in a server's access log.

The credentials never appear in a ``repr``, and :class:`RedactSubsonicSecrets`
scrubs them from httpx's request log lines, which print full URLs.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import Literal

AuthMode = Literal["auto", "token", "password"]
ResolvedAuth = Literal["token", "password"]

_SECRET_PARAMS = re.compile(r"([?&](?:p|t|s|apiKey|password)=)[^&\s\"']*")


@dataclass(frozen=True)
class NavidromeCredentials:
    """One Navidrome account: the app's shared one or a Tastemaker user's own."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"NavidromeCredentials(username={self.username!r}, password=***)"


def auth_params(credentials: NavidromeCredentials, mode: ResolvedAuth) -> dict[str, str]:
    if mode == "token":
        salt = secrets.token_hex(8)
        # md5 is what the Subsonic protocol prescribes; it is not our choice of hash.
        token = hashlib.md5((credentials.password + salt).encode()).hexdigest()  # noqa: S324
        return {"u": credentials.username, "t": token, "s": salt}
    return {"u": credentials.username, "p": "enc:" + credentials.password.encode().hex()}


def redact(text: str) -> str:
    """``text`` with every Subsonic credential parameter's value replaced by ``***``."""
    return _SECRET_PARAMS.sub(r"\1***", text)


class RedactSubsonicSecrets(logging.Filter):
    """Removes Subsonic credentials from log records (httpx logs each request's URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(str(arg)) if _looks_secret(arg) else arg for arg in args)
        if isinstance(record.msg, str) and _SECRET_PARAMS.search(record.msg):
            record.msg = redact(record.msg)
        return True


def _looks_secret(arg: object) -> bool:
    # httpx passes the URL as an ``httpx.URL`` object, so match on its text.
    return not isinstance(arg, int | float) and bool(_SECRET_PARAMS.search(str(arg)))


_FILTER = RedactSubsonicSecrets()


def install_log_redaction() -> None:
    """Attach the filter to httpx's loggers once (idempotent)."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
