"""EPP connections to registries: one session pool per registry and process, built from the
Registry row (credentials decrypted only here), and the greeting recorded on the row."""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, transaction

from bureau.core.heartbeat import beat
from bureau.epp import (
    ClientConfig,
    Command,
    CommandFailed,
    EPPConnectionError,
    Response,
    SessionPool,
)

from . import loginevents
from .models import Registry

_lock = threading.Lock()
_pools: dict[int, tuple[ClientConfig, SessionPool]] = {}
_last_beat: dict[int, float] = {}
logger = logging.getLogger(__name__)
BEAT_EVERY = 30.0  # seconds between two heartbeats of one registry from one process


def client_config(registry: Registry) -> ClientConfig:
    return ClientConfig(
        host=registry.host,
        port=registry.port,
        client_id=registry.client_id,
        password=registry.password,
        cafile=registry.ca_file or None,
        certfile=registry.client_cert_file or None,
        keyfile=registry.client_key_file or None,
    )


def pool_for(registry: Registry) -> SessionPool:
    """The process's pool for this registry; a new one when its settings changed."""
    config = client_config(registry)
    with _lock:
        current = _pools.get(registry.pk)
        if current is not None and current[0] == config:
            return current[1]
        pool = SessionPool(config, size=registry.max_sessions)
        _pools[registry.pk] = (config, pool)
    if current is not None:
        current[1].close()
    return pool


def execute(registry: Registry, command: Command) -> Response:
    """Send one command; raises bureau.epp's CommandFailed, OutcomeUnknown, EPPError."""
    pool = pool_for(registry)
    try:
        with pool.session() as session:
            if registry.greeting_at is None and session.greeting is not None:
                registry.record_greeting(list(session.greeting.obj_uris),
                                         list(session.greeting.ext_uris))
            try:
                response = session.execute(command)
            except CommandFailed:
                exchanged(registry)  # an error answer is still an answer: the session works
                raise
            finally:
                loginevents.record(registry, session.take_login_events())
    except EPPConnectionError as exc:  # e.g. a login refused for an expired password
        loginevents.record(registry, exc.events)
        raise
    exchanged(registry)
    return response


def refresh_greeting(registry: Registry) -> None:
    """Connect (if needed) and store what the registry's greeting offers."""
    pool = pool_for(registry)
    try:
        with pool.session() as session:
            greeting = session.greeting or session.hello()
            registry.record_greeting(list(greeting.obj_uris), list(greeting.ext_uris))
            loginevents.record(registry, session.take_login_events())
    except EPPConnectionError as exc:
        loginevents.record(registry, exc.events)
        raise
    exchanged(registry)


def exchanged(registry: Registry) -> None:
    """Record that the registry answered (the heartbeat /health/ reads), at most every
    BEAT_EVERY seconds per process; never a reason for the EPP command to fail."""
    now = time.monotonic()
    if now - _last_beat.get(registry.pk, -BEAT_EVERY) < BEAT_EVERY:
        return
    _last_beat[registry.pk] = now
    try:
        with transaction.atomic():
            beat(f"epp:{registry.pk}")
    except DatabaseError:
        logger.warning("could not record the EPP heartbeat of %s", registry, exc_info=True)


def close_all() -> None:
    with _lock:
        pools = [pool for _config, pool in _pools.values()]
        _pools.clear()
        _last_beat.clear()
    for pool in pools:
        pool.close()
