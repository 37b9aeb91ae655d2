"""Subsonic authentication as Navidrome does it (``server/subsonic/middlewares.go``).

``u``, ``v`` and ``c`` are required (error 10). Then one of: ``p`` (plain or
``enc:``+hex), or ``t`` = md5(password + ``s``). Every failure — unknown user,
wrong password, bad token, no credentials at all — is error 40 "Wrong username or
password": Navidrome never sends 41–44, and ignores ``apiKey``.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac

from tastemaker.simulators.subsonic.context import Ctx
from tastemaker.simulators.subsonic.responses import SubsonicError, missing
from tastemaker.simulators.subsonic.state import Account


def wrong_credentials() -> SubsonicError:
    return SubsonicError(40, "Wrong username or password")


def _decode_password(value: str) -> str:
    if not value.startswith("enc:"):
        return value
    try:
        return binascii.unhexlify(value[4:]).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise wrong_credentials() from None


def authenticate(ctx: Ctx) -> Account:
    for name in ("u", "v", "c"):
        if not ctx.get(name):
            raise missing(name)
    account = ctx.sim.state.accounts.get(ctx.require("u"))
    password, token, salt = ctx.get("p"), ctx.get("t"), ctx.get("s")
    if account is None:
        raise wrong_credentials()
    if password is not None:
        ok = hmac.compare_digest(_decode_password(password), account.password)
    elif token is not None and salt is not None:
        expected = hashlib.md5((account.password + salt).encode()).hexdigest()  # noqa: S324
        ok = hmac.compare_digest(token.lower(), expected)
    else:
        ok = False
    if not ok:
        raise wrong_credentials()
    return account


def require_admin(ctx: Ctx) -> None:
    if ctx.account is None or not ctx.account.admin:
        raise SubsonicError(50, "User not authorized")
