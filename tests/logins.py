"""Sessions in the state a real login leaves them: allauth's record of when the person last
entered their password, which the sensitive operations read (bureau.core.credentials)."""

from __future__ import annotations

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
