"""A text field encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, keys from settings).

The database only ever holds the token; Python code sees the clear text. The field cannot be
searched or ordered on, which is the point: use it for secrets (EPP passwords, auth codes).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()))
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set BUREAU_FIELD_KEY")
    return _cipher(keys)


def encrypt(value: str) -> str:
    return TOKEN_PREFIX + cipher().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(TOKEN_PREFIX):
        raise ValueError("encrypted field holds a value that was not encrypted by Bureau")
    try:
        return cipher().decrypt(stored[len(TOKEN_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "an encrypted field cannot be decrypted with any key of BUREAU_FIELD_KEY: "
            "the key that encrypted it is missing from the list"
        ) from exc


class EncryptedTextField(models.TextField):
    """Text encrypted before it is written, decrypted when it is read."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value)

    def get_internal_type(self) -> str:
        return "TextField"
