"""A typed client for the PowerDNS Authoritative HTTP API (v1), as shipped in 4.7.

Every change to a zone's records is ONE PATCH (PowerDNS rectifies and re-signs the whole zone per
PATCH, so batching matters), sent while holding the zone's write lock. Writes go only through
the API: it bumps the serial and clears the cache, so changes are served at once.
"""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from bureau.dns.powerdns.errors import (
    PowerDNSConflict,
    PowerDNSError,
    PowerDNSNotFound,
    PowerDNSRejected,
    PowerDNSUnavailable,
)
from bureau.dns.powerdns.locks import WriteLocks

# Backend errors that mean "another writer got there first": the transaction was rolled back,
# and PATCH/PUT/DELETE as this client sends them are idempotent (REPLACE/DELETE), so they are
# retried. PowerDNS 4.7 reports sqlite's "database is locked" as a bare 500 "Internal Server
# Error" (the detail goes to its log), so a bare 500 counts too. The write lock makes this rare.
TRANSIENT_MARKERS = ("database is locked", "deadlock", "could not serialize", "busy")
IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})


class ZoneKind(enum.StrEnum):
    """Zone kinds, with the names PowerDNS 4.7 uses on the wire."""

    NATIVE = "Native"  # replicated by the database, no AXFR/NOTIFY
    PRIMARY = "Master"
    SECONDARY = "Slave"
    PRODUCER = "Producer"  # a catalog zone (RFC 9432) PowerDNS writes from its members
    CONSUMER = "Consumer"  # on a secondary: serves every member of the producer's catalog


def absolute(name: str) -> str:
    """`example.org` -> `example.org.` (PowerDNS wants absolute, lower-case names)."""
    return name.lower().rstrip(".") + "."


@dataclass(frozen=True)
class RRSetChange:
    """Replace the RRset `name`/`rtype` by `contents`; empty `contents` deletes it."""

    name: str
    rtype: str
    ttl: int = 3600
    contents: tuple[str, ...] = ()

    @classmethod
    def delete(cls, name: str, rtype: str) -> RRSetChange:
        return cls(name=name, rtype=rtype, ttl=0, contents=())

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": absolute(self.name), "type": self.rtype.upper()}
        if not self.contents:
            body["changetype"] = "DELETE"
            return body
        body["changetype"] = "REPLACE"
        body["ttl"] = self.ttl
        body["records"] = [{"content": c, "disabled": False} for c in self.contents]
        return body


@dataclass(frozen=True)
class RRSetData:
    """An RRset as PowerDNS holds it (contents in PowerDNS's presentation format)."""

    name: str
    rtype: str
    ttl: int
    contents: tuple[str, ...]


@dataclass(frozen=True)
class ZoneInfo:
    id: str
    name: str
    kind: str
    serial: int
    notified_serial: int
    masters: tuple[str, ...]
    dnssec: bool
    rrsets: tuple[RRSetData, ...] = field(default=())
    catalog: str = ""

    def rrset(self, name: str, rtype: str) -> RRSetData | None:
        wanted = (absolute(name), rtype.upper())
        for rrset in self.rrsets:
            if (rrset.name, rrset.rtype) == wanted:
                return rrset
        return None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ZoneInfo:
        rrsets = tuple(
            RRSetData(
                name=r["name"],
                rtype=r["type"],
                ttl=int(r.get("ttl", 0)),
                contents=tuple(rec["content"] for rec in r.get("records", [])),
            )
            for r in data.get("rrsets", [])
        )
        return cls(
            id=data["id"],
            name=data["name"],
            kind=data.get("kind", ""),
            serial=int(data.get("serial", 0)),
            notified_serial=int(data.get("notified_serial", 0)),
            masters=tuple(data.get("masters", [])),
            dnssec=bool(data.get("dnssec", False)),
            rrsets=rrsets,
            catalog=data.get("catalog") or "",
        )


@dataclass(frozen=True)
class Cryptokey:
    id: int
    keytype: str
    active: bool
    published: bool
    algorithm: str
    dnskey: str
    ds: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cryptokey:
        return cls(
            id=int(data["id"]),
            keytype=data.get("keytype", ""),
            active=bool(data.get("active", False)),
            published=bool(data.get("published", True)),
            algorithm=data.get("algorithm", ""),
            dnskey=data.get("dnskey", ""),
            ds=tuple(data.get("ds", []) or ()),
        )


class PowerDNSClient:
    """Synchronous, thread-safe client; one per API endpoint, shared by the threads of a process."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        server_id: str = "localhost",
        timeout: float = 30.0,
        locks: WriteLocks | None = None,
        retries: int = 8,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.server_id = server_id
        self.locks = locks or WriteLocks(scope="zone")
        self.retries = retries
        self._http = httpx.Client(
            base_url=f"{self.api_url}/api/v1/servers/{quote(server_id, safe='')}",
            headers={"X-API-Key": api_key, "Accept": "application/json"},
            timeout=timeout,
        )

    # -- plumbing -------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PowerDNSClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def zone_path(zone: str) -> str:
        # PowerDNS zone ids are the absolute name; "/" is escaped as "=2F" by PowerDNS itself.
        return "/zones/" + quote(absolute(zone).replace("/", "=2F"), safe="")

    def _request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, json=json, params=params)
            except httpx.TransportError as exc:
                raise PowerDNSUnavailable(
                    f"PowerDNS API at {self.api_url} did not answer ({exc.__class__.__name__}: "
                    f"{exc}); the change may or may not have been applied, read the zone back"
                ) from exc
            if response.is_success:
                return response
            message = self._error_message(response)
            transient = response.status_code >= 500 and (
                any(marker in message.lower() for marker in TRANSIENT_MARKERS)
                or (method in IDEMPOTENT and message == "Internal Server Error")
            )
            if transient and attempt < self.retries:
                attempt += 1
                time.sleep(min(0.02 * 2**attempt, 1.0))
                continue
            raise self._error(response.status_code, f"{method} {path}: {message}")

    @staticmethod
    def _error_message(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text.strip() or response.reason_phrase
        if isinstance(body, dict) and "error" in body:
            return str(body["error"])
        return str(body)

    @staticmethod
    def _error(status: int, message: str) -> PowerDNSError:
        if status in (401, 403):
            return PowerDNSError(
                f"PowerDNS refused the API key ({status}): check the api-key setting; {message}",
                status=status,
            )
        if status == 404:
            return PowerDNSNotFound(message, status=status)
        if status == 409:
            return PowerDNSConflict(message, status=status)
        if status in (400, 422):
            return PowerDNSRejected(message, status=status)
        return PowerDNSError(f"PowerDNS error {status}: {message}", status=status)

    # -- zones ------------------------------------------------------------------------------

    def create_zone(
        self,
        name: str,
        *,
        kind: ZoneKind = ZoneKind.NATIVE,
        nameservers: Sequence[str] = (),
        masters: Sequence[str] = (),
        rrsets: Sequence[RRSetChange] = (),
        soa_edit_api: str = "DEFAULT",
        catalog: str = "",
        transfer_key: str = "",
    ) -> ZoneInfo:
        """Create a zone. Primary/native zones need `nameservers` (or an NS RRset in `rrsets`);
        secondary and consumer zones need `masters` ("127.0.0.1:5300"). `catalog`: the
        producer zone listing it; `transfer_key`: the TSIG key a primary requires for AXFR,
        or a secondary signs its transfers with."""
        body: dict[str, Any] = {
            "name": absolute(name),
            "kind": kind.value,
            "nameservers": [absolute(ns) for ns in nameservers],
        }
        if catalog:
            body["catalog"] = absolute(catalog)
        if transfer_key:
            side = ("slave_tsig_key_ids" if kind in (ZoneKind.SECONDARY, ZoneKind.CONSUMER)
                    else "master_tsig_key_ids")
            body[side] = [absolute(transfer_key)]
        if kind in (ZoneKind.SECONDARY, ZoneKind.CONSUMER):
            if not masters:
                raise ValueError("a secondary zone needs at least one master address")
            body["masters"] = list(masters)
        else:
            body["soa_edit_api"] = soa_edit_api
            body["rrsets"] = [change.to_json() for change in rrsets if change.contents]
        with self.locks.hold(name):
            try:
                response = self._request("POST", "/zones", json=body)
            except PowerDNSConflict as exc:
                raise PowerDNSConflict(
                    f"zone {absolute(name)} already exists on this server", status=409
                ) from exc
        # An answer given before the zone existed (REFUSED) would be served for ~20 s more.
        self.flush_cache(name)
        return ZoneInfo.from_json(response.json())

    def get_zone(self, name: str, *, rrsets: bool = True) -> ZoneInfo:
        params = None if rrsets else {"rrsets": "false"}
        return ZoneInfo.from_json(self._request("GET", self.zone_path(name), params=params).json())

    def zone_exists(self, name: str) -> bool:
        try:
            self.get_zone(name, rrsets=False)
        except PowerDNSNotFound:
            return False
        return True

    def list_zones(self) -> list[ZoneInfo]:
        return [ZoneInfo.from_json(z) for z in self._request("GET", "/zones").json()]

    def delete_zone(self, name: str) -> None:
        with self.locks.hold(name):
            self._request("DELETE", self.zone_path(name))
        self.flush_cache(name)  # nor its answers once it is gone

    def serial(self, name: str) -> int:
        return self.get_zone(name, rrsets=False).serial

    def patch_rrsets(self, name: str, changes: Iterable[RRSetChange], *,
                     rectify: bool = False) -> None:
        """Apply all `changes` in ONE PATCH (one transaction, one serial bump). PowerDNS
        rectifies the zone itself unless its API-RECTIFY is off (`set_api_rectify`); then
        `rectify=True` asks for it, needed when names appear or disappear."""
        body = {"rrsets": [change.to_json() for change in changes]}
        if not body["rrsets"]:
            return
        with self.locks.hold(name):
            self._request("PATCH", self.zone_path(name), json=body)
            if rectify:
                self._request("PUT", self.zone_path(name) + "/rectify")

    def set_api_rectify(self, name: str, on: bool) -> None:
        """PowerDNS rectifies the whole zone on every API change by default (0.13 s for a
        signed 10,000-record zone); off, only the changes that add or remove names ask."""
        with self.locks.hold(name):
            self._request("PUT", self.zone_path(name), json={"api_rectify": on})

    def export_zone(self, name: str) -> str:
        response = self._request("GET", self.zone_path(name) + "/export")
        # 4.7 answers {"zone": "<text>"} when asked for JSON.
        try:
            return str(response.json()["zone"])
        except (ValueError, KeyError, TypeError):
            return response.text

    def rectify(self, name: str) -> None:
        """Only needed for zones with API-RECTIFY off; PATCH rectifies by default."""
        with self.locks.hold(name):
            self._request("PUT", self.zone_path(name) + "/rectify")

    def notify(self, name: str) -> None:
        """Send NOTIFY to the secondaries now (about 1 s sooner than the automatic one)."""
        self._request("PUT", self.zone_path(name) + "/notify")

    def axfr_retrieve(self, name: str) -> None:
        """On a secondary: fetch the zone from its primary now."""
        self._request("PUT", self.zone_path(name) + "/axfr-retrieve")

    def bump_serial(self, name: str) -> int:
        """Raise the serial without changing data (re-PATCH the apex NS as it is), so that
        secondaries transfer changes the serial does not follow, such as DNSSEC keys."""
        zone = self.get_zone(name)
        ns = zone.rrset(zone.name, "NS")
        if ns is None:
            raise PowerDNSError(f"{zone.name} has no NS RRset to re-publish")
        self.patch_rrsets(name, [RRSetChange(ns.name, "NS", ns.ttl, ns.contents)])
        return self.serial(name)

    def flush_cache(self, name: str) -> None:
        """Drop the zone's answers from PowerDNS's packet and query caches. Needed after key
        changes: 4.7 serves the old DNSKEY RRset until the cache expires (about 20 s)."""
        self._request("PUT", "/cache/flush", params={"domain": absolute(name)})

    def set_masters(self, name: str, masters: Sequence[str]) -> None:
        with self.locks.hold(name):
            self._request("PUT", self.zone_path(name), json={"masters": list(masters)})

    def set_zone_options(self, name: str, **options: Any) -> None:
        """Change zone properties (`catalog`, `master_tsig_key_ids`, `slave_tsig_key_ids`,
        `masters`, ...) as the API names them."""
        with self.locks.hold(name):
            self._request("PUT", self.zone_path(name), json=options)

    def transfer_keys(self, name: str) -> tuple[str, ...]:
        """The TSIG keys of a zone's transfers: those a primary requires, and on a secondary
        the one it signs with."""
        data = self._request("GET", self.zone_path(name), params={"rrsets": "false"}).json()
        return tuple(data.get("master_tsig_key_ids", []) or data.get("slave_tsig_key_ids", []))

    # -- metadata -----------------------------------------------------------------------------

    def set_metadata(self, name: str, kind: str, values: Sequence[str]) -> None:
        """Replace one metadata kind, e.g. ("ALLOW-AXFR-FROM", ["127.0.0.1/32"]) or
        ("ALSO-NOTIFY", ["127.0.0.1:5301"])."""
        with self.locks.hold(name):
            self._request(
                "PUT",
                f"{self.zone_path(name)}/metadata/{quote(kind, safe='')}",
                json={"kind": kind, "metadata": list(values)},
            )

    def get_metadata(self, name: str, kind: str) -> list[str]:
        try:
            response = self._request(
                "GET", f"{self.zone_path(name)}/metadata/{quote(kind, safe='')}"
            )
        except PowerDNSNotFound:
            return []
        return list(response.json().get("metadata", []))

    # -- TSIG keys ----------------------------------------------------------------------------

    def create_tsig_key(self, name: str, algorithm: str, secret: str) -> str:
        """Add a TSIG key (secret in base64); its PowerDNS id."""
        response = self._request("POST", "/tsigkeys", json={
            "name": absolute(name), "algorithm": algorithm, "key": secret})
        return str(response.json()["id"])

    def tsig_key(self, name: str) -> tuple[str, str] | None:
        """(algorithm, base64 secret) of a TSIG key, None when the server has none by that
        name."""
        try:
            data = self._request("GET", f"/tsigkeys/{quote(absolute(name), safe='')}").json()
        except PowerDNSNotFound:
            return None
        return str(data["algorithm"]), str(data["key"])

    def delete_tsig_key(self, key_id: str) -> None:
        with contextlib.suppress(PowerDNSNotFound):
            self._request("DELETE", f"/tsigkeys/{quote(key_id, safe='')}")

    # -- DNSSEC -------------------------------------------------------------------------------

    def cryptokeys(self, name: str) -> list[Cryptokey]:
        data = self._request("GET", self.zone_path(name) + "/cryptokeys").json()
        return [Cryptokey.from_json(k) for k in data]

    def set_nsec3(self, name: str) -> None:
        """Deny with NSEC3 instead of NSEC, with RFC 9276's parameters: SHA-1, no opt-out,
        no extra iterations, no salt ("1 0 0 -"); the caller rectifies."""
        with self.locks.hold(name):
            self._request("PUT", self.zone_path(name),
                          json={"nsec3param": "1 0 0 -", "nsec3narrow": False})
        self.flush_cache(name)

    def enable_dnssec(self, name: str, *, algorithm: str = "ECDSAP256SHA256") -> Cryptokey:
        """Sign the zone with one active CSK; idempotent (an existing active key is kept)."""
        for key in self.cryptokeys(name):
            if key.active:
                return key
        with self.locks.hold(name):
            response = self._request(
                "POST",
                self.zone_path(name) + "/cryptokeys",
                json={"keytype": "csk", "active": True, "published": True, "algorithm": algorithm},
            )
        created = Cryptokey.from_json(response.json())
        self.flush_cache(name)
        # The POST answer has no DS list in 4.7; read the key back to get it.
        for key in self.cryptokeys(name):
            if key.id == created.id:
                return key
        return created

    def disable_dnssec(self, name: str) -> None:
        """Stop signing: PowerDNS deletes the zone's keys (and NSEC3 settings)."""
        with self.locks.hold(name):
            self._request("PUT", self.zone_path(name), json={"dnssec": False})
        self.flush_cache(name)

    def add_cryptokey(
        self, name: str, *, active: bool, algorithm: str = "ECDSAP256SHA256", keytype: str = "csk"
    ) -> Cryptokey:
        """Add a key (inactive keys are published but do not sign: the first step of a
        rollover, so the new DS can reach the registry before the key signs)."""
        with self.locks.hold(name):
            response = self._request(
                "POST",
                self.zone_path(name) + "/cryptokeys",
                json={
                    "keytype": keytype,
                    "active": active,
                    "published": True,
                    "algorithm": algorithm,
                },
            )
        key_id = Cryptokey.from_json(response.json()).id
        self.flush_cache(name)
        return next(k for k in self.cryptokeys(name) if k.id == key_id)

    def set_cryptokey_active(self, name: str, key_id: int, active: bool) -> None:
        with self.locks.hold(name):
            self._request(
                "PUT", f"{self.zone_path(name)}/cryptokeys/{key_id}", json={"active": active}
            )
        self.flush_cache(name)

    def delete_cryptokey(self, name: str, key_id: int) -> None:
        with self.locks.hold(name):
            self._request("DELETE", f"{self.zone_path(name)}/cryptokeys/{key_id}")
        self.flush_cache(name)

    def ds_records(
        self, name: str, *, digest_types: Sequence[int] = (2,), include_inactive: bool = False
    ) -> list[str]:
        """DS records ("tag alg digesttype digest") of the active keys, SHA-256 by default:
        what Bureau sends to the registry with secDNS. During a rollover, `include_inactive`
        adds the DS of published keys that do not sign yet."""
        out: list[str] = []
        for key in self.cryptokeys(name):
            if not (key.active or (include_inactive and key.published)):
                continue
            for ds in key.ds:
                if int(ds.split()[2]) in digest_types and ds not in out:
                    out.append(ds)
        return out
