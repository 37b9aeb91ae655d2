"""Encryption at rest for secrets kept in the database (service API keys, passwords).

Fernet (from ``cryptography``) with a key derived from the app's secret key, so a
copy of the database alone does not reveal any credential.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tastemaker.errors import AppError


class SecretUnreadable(AppError):
    code = "secret_unreadable"
    title = "A stored secret cannot be read: was SECRET_KEY changed? Enter the secret again"


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"tastemaker secrets at rest"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable() from exc
