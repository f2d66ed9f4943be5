"""RFC 3915 registry grace period: restore request and report, rgpStatus in responses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bureau.epp.namespaces import RGP
from bureau.epp.registry import parses
from bureau.epp.xmlutil import Element, children, el, format_datetime, sub

# The two statements RFC 3915 §4.2.5 asks the registrar to make in a restore report.
STATEMENT_NOT_FOR_ADVANTAGE = (
    "This registrar has not restored the Registered Name in order to assume the rights to use "
    "or sell the Registered Name for itself or for any third party."
)
STATEMENT_TRUE = (
    "The information in this report is true to best of this registrar's knowledge, and this "
    "registrar acknowledges that intentionally supplying false information in this report "
    "shall constitute an incurable material breach of the Registry-Registrar Agreement."
)


@dataclass(frozen=True)
class RestoreRequest:
    """Ask the registry to restore a domain in redemption (first step of RFC 3915)."""

    namespace: ClassVar[str] = RGP

    def to_element(self, verb: str) -> Element:
        node = el(RGP, "update")
        sub(node, RGP, "restore", op="request")
        return node


@dataclass(frozen=True)
class RestoreReport:
    """The restore report (second step): whois before/after, times, reason, statements."""

    pre_data: str
    post_data: str
    deleted: datetime
    restored: datetime
    reason: str
    statements: Sequence[str] = (STATEMENT_NOT_FOR_ADVANTAGE, STATEMENT_TRUE)
    other: str | None = None
    lang: str = "en"
    namespace: ClassVar[str] = RGP

    def __post_init__(self) -> None:
        if not 1 <= len(self.statements) <= 2:
            raise ValueError("a restore report carries one or two statements (RFC 3915)")

    def to_element(self, verb: str) -> Element:
        node = el(RGP, "update")
        report = sub(sub(node, RGP, "restore", op="report"), RGP, "report")
        sub(report, RGP, "preData", self.pre_data)
        sub(report, RGP, "postData", self.post_data)
        sub(report, RGP, "delTime", format_datetime(self.deleted))
        sub(report, RGP, "resTime", format_datetime(self.restored))
        sub(report, RGP, "resReason", self.reason, lang=self.lang)
        for statement in self.statements:
            sub(report, RGP, "statement", statement, lang=self.lang)
        if self.other is not None:
            sub(report, RGP, "other", self.other)
        return node


@dataclass(frozen=True)
class RgpStatusData:
    """rgpStatus values of a domain (info) or after an update (restore)."""

    statuses: tuple[str, ...]
    response: str = "infData"

    @property
    def in_redemption(self) -> bool:
        return "redemptionPeriod" in self.statuses


@parses(RGP, "infData", "upData")
def parse_rgp(node: Element) -> RgpStatusData:
    return RgpStatusData(
        statuses=tuple(s.get("s", "") for s in children(node, RGP, "rgpStatus")),
        response=node.tag.rsplit("}", 1)[-1],
    )
