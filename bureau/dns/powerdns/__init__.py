"""PowerDNS Authoritative: a local instance manager and a typed HTTP API client."""

from bureau.dns.powerdns.client import (
    Cryptokey,
    PowerDNSClient,
    RRSetChange,
    ZoneInfo,
    ZoneKind,
)
from bureau.dns.powerdns.errors import (
    PowerDNSConflict,
    PowerDNSError,
    PowerDNSNotFound,
    PowerDNSRejected,
    PowerDNSStartError,
    PowerDNSUnavailable,
)
from bureau.dns.powerdns.instance import PostgresDatabase, PowerDNSInstance
from bureau.dns.powerdns.locks import WriteLocks

__all__ = [
    "Cryptokey",
    "PostgresDatabase",
    "PowerDNSClient",
    "PowerDNSConflict",
    "PowerDNSError",
    "PowerDNSInstance",
    "PowerDNSNotFound",
    "PowerDNSRejected",
    "PowerDNSStartError",
    "PowerDNSUnavailable",
    "RRSetChange",
    "WriteLocks",
    "ZoneInfo",
    "ZoneKind",
]
