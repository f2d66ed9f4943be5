"""RFC 5910 DNSSEC extension (secDNS-1.1): DS or key data on create, update and info."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from bureau.epp.errors import FrameError
from bureau.epp.namespaces import SECDNS
from bureau.epp.registry import parses
from bureau.epp.xmlutil import (
    Element,
    child,
    children,
    el,
    need,
    opt_text,
    parse_int,
    req_text,
    sub,
    text,
)


@dataclass(frozen=True)
class KeyData:
    """A DNSKEY: flags (257 for a KSK), protocol (3), algorithm, base64 public key."""

    flags: int
    protocol: int
    alg: int
    pub_key: str

    def __post_init__(self) -> None:
        try:
            base64.b64decode(self.pub_key, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"secDNS public key is not base64: {exc}") from exc

    def add_to(self, parent: Element) -> None:
        node = sub(parent, SECDNS, "keyData")
        sub(node, SECDNS, "flags", str(self.flags))
        sub(node, SECDNS, "protocol", str(self.protocol))
        sub(node, SECDNS, "alg", str(self.alg))
        sub(node, SECDNS, "pubKey", self.pub_key)


@dataclass(frozen=True)
class DSData:
    """A DS record: key tag, algorithm, digest type, hex digest, optionally its key."""

    key_tag: int
    alg: int
    digest_type: int
    digest: str
    key_data: KeyData | None = None

    def __post_init__(self) -> None:
        try:
            bytes.fromhex(self.digest)
        except ValueError as exc:
            raise ValueError(f"DS digest {self.digest!r} is not hexadecimal") from exc
        if not 0 <= self.key_tag <= 65535:
            raise ValueError(f"DS key tag {self.key_tag} is out of 0-65535")

    def add_to(self, parent: Element) -> None:
        node = sub(parent, SECDNS, "dsData")
        sub(node, SECDNS, "keyTag", str(self.key_tag))
        sub(node, SECDNS, "alg", str(self.alg))
        sub(node, SECDNS, "digestType", str(self.digest_type))
        sub(node, SECDNS, "digest", self.digest.upper())
        if self.key_data is not None:
            self.key_data.add_to(node)


def _add_set(parent: Element, ds: Sequence[DSData], keys: Sequence[KeyData], what: str) -> None:
    if ds and keys:
        raise ValueError(f"secDNS {what}: give DS data or key data, not both (RFC 5910 interfaces)")
    for d in ds:
        d.add_to(parent)
    for k in keys:
        k.add_to(parent)


@dataclass(frozen=True)
class SecDNSData:
    """The DNSSEC data of a domain: for a create, and as parsed from an info response."""

    ds_data: tuple[DSData, ...] = ()
    key_data: tuple[KeyData, ...] = ()
    max_sig_life: int | None = None
    namespace: ClassVar[str] = SECDNS

    def __post_init__(self) -> None:
        if not self.ds_data and not self.key_data:
            raise ValueError("secDNS data needs at least one DS or one key")

    def fill(self, node: Element, what: str) -> None:
        if self.max_sig_life is not None:
            sub(node, SECDNS, "maxSigLife", str(self.max_sig_life))
        _add_set(node, self.ds_data, self.key_data, what)

    def to_element(self, verb: str) -> Element:
        node = el(SECDNS, "create")
        self.fill(node, "create")
        return node


@dataclass(frozen=True)
class SecDNSUpdate:
    """Change the DNSSEC data of a domain. `rem_all` removes every DS/key first."""

    add_ds: tuple[DSData, ...] = ()
    add_keys: tuple[KeyData, ...] = ()
    rem_ds: tuple[DSData, ...] = ()
    rem_keys: tuple[KeyData, ...] = ()
    rem_all: bool = False
    max_sig_life: int | None = None
    urgent: bool = False
    namespace: ClassVar[str] = SECDNS

    def __post_init__(self) -> None:
        if self.rem_all and (self.rem_ds or self.rem_keys):
            raise ValueError("secDNS update: rem_all already removes everything, list nothing")
        if not (
            self.add_ds
            or self.add_keys
            or self.rem_ds
            or self.rem_keys
            or self.rem_all
            or self.max_sig_life is not None
        ):
            raise ValueError("secDNS update changes nothing")

    def to_element(self, verb: str) -> Element:
        node = el(SECDNS, "update")
        if self.urgent:
            node.set("urgent", "true")
        if self.rem_all or self.rem_ds or self.rem_keys:
            rem = sub(node, SECDNS, "rem")
            if self.rem_all:
                sub(rem, SECDNS, "all", "true")
            _add_set(rem, self.rem_ds, self.rem_keys, "rem")
        if self.add_ds or self.add_keys:
            _add_set(sub(node, SECDNS, "add"), self.add_ds, self.add_keys, "add")
        if self.max_sig_life is not None:
            chg = sub(node, SECDNS, "chg")
            sub(chg, SECDNS, "maxSigLife", str(self.max_sig_life))
        return node


def _key(node: Element) -> KeyData:
    return KeyData(
        flags=parse_int(req_text(node, SECDNS, "flags")),
        protocol=parse_int(req_text(node, SECDNS, "protocol")),
        alg=parse_int(req_text(node, SECDNS, "alg")),
        pub_key="".join(text(need(node, SECDNS, "pubKey")).split()),
    )


def _ds(node: Element) -> DSData:
    key = child(node, SECDNS, "keyData")
    return DSData(
        key_tag=parse_int(req_text(node, SECDNS, "keyTag")),
        alg=parse_int(req_text(node, SECDNS, "alg")),
        digest_type=parse_int(req_text(node, SECDNS, "digestType")),
        digest=req_text(node, SECDNS, "digest").upper(),
        key_data=_key(key) if key is not None else None,
    )


@parses(SECDNS, "infData")
def parse_inf_data(node: Element) -> SecDNSData:
    life = opt_text(node, SECDNS, "maxSigLife")
    try:
        return SecDNSData(
            ds_data=tuple(_ds(d) for d in children(node, SECDNS, "dsData")),
            key_data=tuple(_key(k) for k in children(node, SECDNS, "keyData")),
            max_sig_life=parse_int(life) if life else None,
        )
    except ValueError as exc:
        raise FrameError(f"bad secDNS:infData: {exc}") from exc


__all__ = ["DSData", "KeyData", "SecDNSData", "SecDNSUpdate"]
