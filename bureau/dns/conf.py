"""DNS hosting settings read from Django settings, and the process's PowerDNS clients."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import dns.resolver
from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string
from publicsuffixlist import PublicSuffixList

from bureau.core.resolver import make_resolver
from bureau.dns import suffixes
from bureau.dns.powerdns import PowerDNSClient, PowerDNSError, WriteLocks
from bureau.dns.powerdns.update import UpdateKey
from bureau.dns.publish import SecondaryTarget, UpdateTarget, update_key
from bureau.dns.secondaries import Server

_lock = threading.Lock()
_clients: dict[tuple[str, str], PowerDNSClient] = {}


def nameservers() -> list[str]:
    """Bureau's name servers, absolute lower-case host names."""
    return [ns.strip().lower().rstrip(".") + "." for ns in settings.BUREAU_DNS_NAMESERVERS]


def is_bureau_set(given: list[str]) -> bool:
    """These name servers are exactly Bureau's."""
    ours = {ns.rstrip(".") for ns in nameservers()}
    hosts = {str(ns).lower().rstrip(".") for ns in given}
    return bool(hosts) and hosts == ours


def nameserver_addresses() -> dict[str, list[str]]:
    """Each of Bureau's name servers and its addresses ("ns1.x=192.0.2.1" settings items)."""
    out: dict[str, list[str]] = {}
    for item in settings.BUREAU_DNS_NAMESERVER_ADDRESSES:
        name, _, address = item.partition("=")
        out.setdefault(name.strip().lower().rstrip(".") + ".", []).append(address.strip())
    if not out:
        # One box (`bureau run`): the primary answers for every name server of Bureau.
        host = primary_address().rpartition(":")[0].strip("[]") or "127.0.0.1"
        out = {ns: [host] for ns in nameservers()}
    return out


def dns_port() -> int:
    return int(settings.BUREAU_DNS_PORT)


def _client(url: str, key: str, scope: str) -> PowerDNSClient:
    with _lock:
        client = _clients.get((url, key))
        if client is None:
            locks = WriteLocks(scope="server" if scope == "server" else "zone",
                               lock_dir=settings.STATE_DIR / "pdns-locks")
            # Short: a stalled PowerDNS must not hold a web request or the worker for long;
            # what it did not confirm stays in the outbox for the job.
            timeout = float(getattr(settings, "BUREAU_PDNS_TIMEOUT", 5.0))
            client = PowerDNSClient(url, key, locks=locks, timeout=timeout)
            _clients[(url, key)] = client
        return client


_publisher_locks: WriteLocks | None = None


def publisher_locks() -> WriteLocks:
    """One publisher per zone on this host: a publication reads the database then sends it,
    and an older read must not overwrite a newer one in PowerDNS."""
    global _publisher_locks
    with _lock:
        if _publisher_locks is None:
            _publisher_locks = WriteLocks(scope="zone",
                                          lock_dir=settings.STATE_DIR / "pdns-publish-locks")
        return _publisher_locks


def client() -> PowerDNSClient:
    """The primary's API client (one per process; writes serialised per zone, or per server
    for the sqlite3 backend whose zones share one database file)."""
    scope = "server" if settings.BUREAU_PDNS_BACKEND == "sqlite3" else "zone"
    return _client(settings.BUREAU_PDNS_API_URL, settings.BUREAU_PDNS_API_KEY, scope)


@dataclass(frozen=True)
class Secondary:
    api_url: str
    api_key: str
    dns_address: str  # "127.0.0.1:5301"

    def target(self) -> SecondaryTarget:
        return SecondaryTarget(_client(self.api_url, self.api_key, "zone"), self.dns_address)

    def server(self) -> Server:
        host, _, port = self.dns_address.rpartition(":")
        return Server(host.strip("[]"), int(port), self.dns_address)


def secondaries() -> list[Secondary]:
    raw = settings.BUREAU_DNS_SECONDARIES
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [Secondary(i["api_url"], i["api_key"], i["dns_address"]) for i in items]


def primary_address() -> str:
    return str(settings.BUREAU_PDNS_PRIMARY_ADDRESS)


_update_keys: dict[str, UpdateKey] = {}


def update_target() -> UpdateTarget | None:
    """Where changes go as RFC 2136 updates (`publish.send_changes`): the primary's DNS
    address, Bureau's key (read from the primary's API once per process) and the address
    ranges Bureau sends from (`BUREAU_PDNS_UPDATE_FROM`; empty: every change is a PATCH)."""
    sources = tuple(s for s in settings.BUREAU_PDNS_UPDATE_FROM if s)
    if not sources or not primary_address():
        return None
    url = settings.BUREAU_PDNS_API_URL
    with _lock:
        key = _update_keys.get(url)
    if key is None:
        try:
            key = update_key(client())
        except PowerDNSError:
            return None  # the PATCH path says what is wrong with PowerDNS
        with _lock:
            _update_keys[url] = key
    timeout = float(getattr(settings, "BUREAU_PDNS_TIMEOUT", 5.0))
    return UpdateTarget(primary_address(), key, sources, timeout)


def forget_update_key() -> None:
    """The primary refused the key (replaced there): read it again next time."""
    with _lock:
        _update_keys.clear()


def reset_clients() -> None:
    """Forget the cached clients (tests that change the settings)."""
    global _publisher_locks
    with _lock:
        _update_keys.clear()
        clients = list(_clients.values())
        _clients.clear()
        _publisher_locks = None
    for c in clients:
        c.close()


# The notices app parks expired names (ERRP): parking name servers and no DS at the registry.
# Its predicate is reached through a setting (a dotted path, "" for none) so that the DNS app
# imports nothing from it; the default is the notices app's when it is installed.
DEFAULT_PARKED_CHECK = "bureau.notices.parking.is_parked"


def is_parked(domain: object) -> bool:
    """Whether the name is parked by the notices app right now (see DEFAULT_PARKED_CHECK)."""
    path = getattr(settings, "BUREAU_DNS_PARKED_CHECK", None)
    if path is None:
        path = DEFAULT_PARKED_CHECK if apps.is_installed("bureau.notices") else ""
    if not path:
        return False
    return bool(import_string(path)(domain))


def public_suffix_file() -> Path:
    """Where the ``dns-public-suffixes`` job keeps the newest list it downloaded."""
    return Path(settings.STATE_DIR) / "public_suffix_list.dat"


_psl: tuple[Path, float, PublicSuffixList] | None = None


def public_suffixes() -> PublicSuffixList:
    """The list in use: the downloaded one (re-read when the job replaced it), else the
    package's."""
    global _psl
    path = public_suffix_file()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    with _lock:
        if _psl is None or _psl[0] != path or _psl[1] != mtime:
            _psl = (path, mtime, suffixes.load(path))
        return _psl[2]


def resolver() -> dns.resolver.Resolver:
    """The resolver Bureau checks names with (challenges, name servers typed by members):
    ``BUREAU_DNS_RESOLVERS`` ("host" or "host:port" items), else the system's."""
    return make_resolver(list(getattr(settings, "BUREAU_DNS_RESOLVERS", [])))
