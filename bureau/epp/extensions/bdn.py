"""RFC 9095 strict bundling (b-dn): the create extension and the bundle in responses.

A bundle is the registered domain name (RDN) and the bundled names (BDN) the registry
derived from it; they share holder, contacts, expiry and status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bureau.epp.errors import FrameError
from bureau.epp.idn import is_idn, to_alabel, to_ulabel
from bureau.epp.namespaces import BDN
from bureau.epp.registry import parses
from bureau.epp.xmlutil import Element, children, el, need, sub, text


@dataclass(frozen=True)
class BundledName:
    """A name of a bundle: its A-label and, when it is an IDN, its U-label (uLabel attr)."""

    alabel: str
    ulabel: str | None = None

    @classmethod
    def of(cls, name: str) -> BundledName:
        alabel = to_alabel(name)
        return cls(alabel, to_ulabel(alabel) if is_idn(alabel) else None)

    @property
    def display(self) -> str:
        return self.ulabel or self.alabel

    def add_to(self, parent: Element, tag: str) -> None:
        node = sub(parent, BDN, tag, self.alabel)
        if self.ulabel is not None:
            node.set("uLabel", self.ulabel)


@dataclass(frozen=True)
class BundleCreate:
    """<b-dn:create>: tells the registry the client knows bundling; names the RDN."""

    rdn: str | None = None
    namespace: ClassVar[str] = BDN

    def to_element(self, verb: str) -> Element:
        node = el(BDN, "create")
        if self.rdn is not None:
            BundledName.of(self.rdn).add_to(node, "rdn")
        return node


@dataclass(frozen=True)
class BundleData:
    """The bundle a response reports (infData, creData, delData, renData, trnData, upData)."""

    rdn: BundledName
    bdns: tuple[BundledName, ...]
    response: str = "infData"

    @property
    def names(self) -> tuple[str, ...]:
        """Every A-label of the bundle, RDN first."""
        return (self.rdn.alabel, *(b.alabel for b in self.bdns))


def _name(node: Element) -> BundledName:
    value = text(node)
    if not value:
        raise FrameError(f"empty <b-dn:{node.tag.rsplit('}', 1)[-1]}>")
    return BundledName(value.lower(), node.get("uLabel"))


@parses(BDN, "infData", "creData", "delData", "renData", "trnData", "upData")
def parse_bundle(node: Element) -> BundleData:
    bundle = need(node, BDN, "bundle")
    return BundleData(
        rdn=_name(need(bundle, BDN, "rdn")),
        bdns=tuple(_name(b) for b in children(bundle, BDN, "bdn")),
        response=node.tag.rsplit("}", 1)[-1],
    )
