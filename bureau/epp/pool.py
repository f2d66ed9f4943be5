"""A bounded pool of EPP sessions for one registry account, for threads and asyncio.

Registries cap the number of simultaneous sessions per registrar: the pool never opens more
than `size`, and callers wait for a free one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from bureau.epp.base import Command
from bureau.epp.config import ClientConfig
from bureau.epp.errors import EPPError
from bureau.epp.response import Response
from bureau.epp.session import Session

log = logging.getLogger(__name__)


class PoolClosed(EPPError):
    """The pool was closed; no more commands go through it."""


class PoolTimeout(EPPError):
    """No session became free in time (every session busy): the command was not sent."""


class SessionPool:
    def __init__(
        self,
        config: ClientConfig,
        size: int = 4,
        *,
        acquire_timeout: float | None = None,
        session_factory: Callable[[ClientConfig], Session] = Session,
        keepalive_thread: bool = True,
    ) -> None:
        if size < 1:
            raise ValueError(f"pool size {size}: at least one session")
        self.config = config
        self.size = size
        self.acquire_timeout = acquire_timeout
        self._factory = session_factory
        self._idle: deque[Session] = deque()
        self._all: list[Session] = []
        self._opening = 0
        self._cond = threading.Condition()
        self._closed = False
        # asyncio callers run the blocking session in these threads; `size` is enough since
        # at most `size` commands can be in flight anyway.
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="epp-pool")
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        if keepalive_thread:
            self._keeper = threading.Thread(target=self._keepalive_loop, daemon=True)
            self._keeper.start()

    # ---- sessions ---------------------------------------------------------------------

    def _acquire(self) -> Session:
        deadline = None if self.acquire_timeout is None else time.monotonic() + self.acquire_timeout
        with self._cond:
            while True:
                if self._closed:
                    raise PoolClosed("the EPP session pool is closed")
                if self._idle:
                    return self._idle.popleft()
                if len(self._all) + self._opening < self.size:
                    self._opening += 1
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise PoolTimeout(
                        f"all {self.size} EPP sessions busy for {self.acquire_timeout}s"
                    )
                self._cond.wait(remaining)
        # Connect outside the lock so other callers are not held up by a slow handshake.
        try:
            session = self._factory(self.config)
            session.connect()
        except BaseException:
            with self._cond:
                self._opening -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._opening -= 1
            self._all.append(session)
        return session

    def _release(self, session: Session) -> None:
        with self._cond:
            if self._closed:
                close_it = True
            else:
                close_it = False
                self._idle.append(session)
                self._cond.notify()
        if close_it:
            session.close()

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """Borrow a session for several commands in a row."""
        session = self._acquire()
        try:
            yield session
        finally:
            self._release(session)

    # ---- commands ---------------------------------------------------------------------

    def execute(self, command: Command) -> Response:
        with self.session() as session:
            return session.execute(command)

    async def aexecute(self, command: Command) -> Response:
        """The asyncio form of execute. Cancelling the await does not stop a sent command."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.execute, command)

    # ---- upkeep -----------------------------------------------------------------------

    def _keepalive_loop(self) -> None:
        interval = max(1.0, self.config.keepalive / 2)
        while not self._stop.wait(interval):
            with self._cond:
                idle = list(self._idle)
                self._idle.clear()
            for session in idle:
                try:
                    session.keepalive()
                finally:
                    self._release(session)

    @property
    def open_sessions(self) -> int:
        with self._cond:
            return len(self._all)

    def close(self) -> None:
        """Log out every idle session now; busy ones are logged out when they come back."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            idle = list(self._idle)
            self._idle.clear()
            self._cond.notify_all()
        self._stop.set()
        for session in idle:
            session.close()
        self._executor.shutdown(wait=False)

    def __enter__(self) -> SessionPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> SessionPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)
