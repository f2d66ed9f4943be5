"""Exceptions of the EPP library.

The split matters to callers: `EPPConnectionError` means the command was certainly not sent,
`OutcomeUnknown` means it may have been executed (reconcile with an info, never retry blindly),
`CommandFailed` means the registry answered and refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bureau.epp.extensions.loginsec import LoginEvent
    from bureau.epp.response import Response


class EPPError(Exception):
    """Base class of every error raised by bureau.epp."""


class FrameError(EPPError):
    """A frame from the server is not well-formed EPP (bad XML, missing element, bad value)."""


class EPPConnectionError(EPPError):
    """Cannot connect, handshake or log in: the command was certainly not sent. A refused
    login carries the server's RFC 8807 `events` (e.g. the password expired)."""

    def __init__(self, message: str, code: int | None = None,
                 events: tuple[LoginEvent, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.events = events


class OutcomeUnknown(EPPError):
    """The command was sent but its answer was not read (timeout, connection lost).

    The registry may or may not have executed it: reconcile with an info command.
    """

    def __init__(self, message: str, cltrid: str | None = None) -> None:
        super().__init__(message)
        self.cltrid = cltrid


class ResponseUnreadable(OutcomeUnknown, FrameError):
    """The server answered, but the answer cannot be read: the outcome is unknown too."""


class ExtensionNotLoggedIn(EPPError):
    """A command carries an extension the server did not announce, so it cannot be sent."""


class CommandFailed(EPPError):
    """The registry answered with a result code >= 2000."""

    def __init__(self, response: Response) -> None:
        self.response = response
        self.code = response.code
        self.message = response.message
        self.reason = response.reason
        detail = f" ({self.reason})" if self.reason else ""
        super().__init__(f"EPP {self.code}: {self.message}{detail}")
