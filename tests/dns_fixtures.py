"""Real PowerDNS servers on loopback, started once per session, and Bureau's DNS settings
pointing at them: for the DNS tests and for any suite that checks what Bureau's DNS answers
(the fast-forward year of tests/notices/test_forward.py).

Loaded for every suite by tests/conftest.py; a server starts only when a test asks for it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from programs import require_program

from bureau.dns.powerdns import PowerDNSInstance

# Bureau's name servers in the tests (both served by the session PowerDNS `pdns`).
BUREAU_NS = ("ns1.bureau-dns.net", "ns2.bureau-dns.net")


def require_pdns() -> None:
    require_program("pdns_server", "pdns-server")


def delv(pdns: PowerDNSInstance, root: str, ds: Iterable[str], qname: str, rtype: str,
         tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """delv asking ``pdns`` for ``qname``/``rtype``, trusting ``root`` only through the DS
    records given ("key-tag algorithm digest-type digest" each). A chain that validates
    prints "; fully validated"."""
    anchors = " ".join(f'{root} static-ds {tag} {alg} {kind} "{digest}";'
                       for tag, alg, kind, digest in (d.split(maxsplit=3) for d in ds))
    anchor = tmp_path / "anchor.conf"
    anchor.write_text(f"trust-anchors {{ {anchors} }};\n")
    return subprocess.run([require_program("delv", "bind9-dnsutils"), "-a", str(anchor),
                           f"+root={root}", "@127.0.0.1", "-p", str(pdns.dns_port), qname,
                           rtype], capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="session")
def pdns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PowerDNSInstance]:
    """Bureau's primary PowerDNS (sqlite3 backend)."""
    require_pdns()
    with PowerDNSInstance(tmp_path_factory.mktemp("pdns-primary")) as instance:
        yield instance


@pytest.fixture(scope="session")
def pdns_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PowerDNSInstance]:
    """The DNS outside Bureau: where members publish their challenges and their own name
    servers' addresses; Bureau's resolver setting points at it."""
    require_pdns()
    with PowerDNSInstance(tmp_path_factory.mktemp("pdns-world")) as instance:
        yield instance


@pytest.fixture
def dns_settings(settings: Any, pdns: PowerDNSInstance, pdns_world: PowerDNSInstance,
                 tmp_path: Path) -> Iterator[Any]:
    """Bureau's DNS settings pointing at the session PowerDNS (both name servers on it)."""
    from bureau.dns import conf

    settings.BUREAU_PDNS_API_URL = pdns.api_url
    settings.BUREAU_PDNS_API_KEY = pdns.api_key
    settings.BUREAU_PDNS_BACKEND = "sqlite3"
    settings.BUREAU_PDNS_PRIMARY_ADDRESS = f"127.0.0.1:{pdns.dns_port}"
    settings.BUREAU_DNS_NAMESERVERS = list(BUREAU_NS)
    settings.BUREAU_DNS_NAMESERVER_ADDRESSES = [f"{ns}=127.0.0.1" for ns in BUREAU_NS]
    settings.BUREAU_DNS_PORT = pdns.dns_port
    settings.BUREAU_DNS_SECONDARIES = "[]"
    settings.BUREAU_DNS_RESOLVERS = [f"127.0.0.1:{pdns_world.dns_port}"]
    settings.STATE_DIR = tmp_path
    conf.reset_clients()
    yield settings
    conf.reset_clients()
