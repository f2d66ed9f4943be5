"""Sessions in the state a real login leaves them: allauth's record of when the person last
entered their password, which the sensitive operations read (bureau.core.credentials)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from typing import Any


def authenticated(client: Any, user: Any, *, ago: float = 0.0) -> Any:
    """Log ``client`` in as ``user``, who entered their password ``ago`` seconds ago (0:
    just now; more than ACCOUNT_REAUTHENTICATION_TIMEOUT: a session that must
    re-authenticate before a sensitive action)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time() - ago, "email": user.email}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as any authenticator app computes it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
