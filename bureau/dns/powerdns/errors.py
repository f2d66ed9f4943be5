"""Exceptions raised when talking to PowerDNS, one per thing the caller can act on."""

from __future__ import annotations


class PowerDNSError(Exception):
    """Base class: PowerDNS refused or failed a request."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PowerDNSUnavailable(PowerDNSError):
    """The API could not be reached or timed out; the change may or may not have been applied."""


class PowerDNSNotFound(PowerDNSError):
    """The zone (or key) does not exist on this server."""


class PowerDNSConflict(PowerDNSError):
    """The zone already exists."""


class PowerDNSRejected(PowerDNSError):
    """PowerDNS refused the data (HTTP 422/400): the message says which record and why."""


class PowerDNSStartError(PowerDNSError):
    """A local `pdns_server` did not start; the message carries the end of its log."""
