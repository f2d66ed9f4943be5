"""ISO 20022 pain.002 (customer payment status report): the bank's answer to a pain.008
file before the money moves. Versions .001.03 to .001.14, streamed with lxml's iterparse.

What counts is a rejection (``RJCT``): of one transaction (``TxInfAndSts``, named by its
``OrgnlEndToEndId``), of a whole payment block (``PmtInfSts``, named by
``OrgnlPmtInfId``) or of the whole file (``GrpSts``, named by ``OrgnlMsgId``). Acceptances
and pending statuses say nothing new: the statement confirms the money."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from .camt import children, local, text
from .statement import Problem, StatementError

REJECTED = "RJCT"


@dataclass(frozen=True)
class Rejection:
    """A rejected collection (``end_to_end``), or, with no end-to-end id, every collection
    of the payment block ``payment_id`` (or of the whole message when it is empty too)."""

    message_id: str
    payment_id: str
    end_to_end: str
    reason: str
    line: int


def is_status_report(head: bytes) -> bool:
    return b"pain.002.001." in head[:2000]


def parse(source: str | IO[bytes]) -> Iterator[Rejection]:
    """The rejections a pain.002 file reports. Raises StatementError for a file that is not
    one, or malformed."""
    namespace = ""
    message_id = ""
    try:
        context = etree.iterparse(
            source, events=("start", "end"), resolve_entities=False, no_network=True,
            remove_comments=True, tag=("{*}Document", "{*}OrgnlGrpInfAndSts",
                                       "{*}OrgnlPmtInfAndSts", "{*}TxInfAndSts"))
        for event, element in context:
            name = local(element.tag)
            if not namespace:
                namespace = str(element.tag).partition("}")[0].lstrip("{")
                if name != "Document" or "pain.002" not in namespace:
                    raise StatementError([Problem.of(
                        element.sourceline or 1, "this is not a pain.002 payment status "
                        "report (element %(name)s, namespace %(namespace)s)",
                        name=name, namespace=namespace or "none")])
                continue
            if event == "start":
                continue
            tags = children(element)
            q = f"{{{namespace}}}"
            if name == "OrgnlGrpInfAndSts":
                message_id = text(tags.get(q + "OrgnlMsgId"))
                if text(tags.get(q + "GrpSts")) == REJECTED:
                    yield Rejection(message_id, "", "", reason_of(tags, q),
                                    element.sourceline or 0)
            elif name == "OrgnlPmtInfAndSts":
                if text(tags.get(q + "PmtInfSts")) == REJECTED:
                    yield Rejection(message_id, text(tags.get(q + "OrgnlPmtInfId")), "",
                                    reason_of(tags, q), element.sourceline or 0)
                element.clear(keep_tail=False)
            elif name == "TxInfAndSts":
                if text(tags.get(q + "TxSts")) == REJECTED:
                    parent = element.getparent()
                    payment = text(children(parent).get(q + "OrgnlPmtInfId")) \
                        if parent is not None else ""
                    end_to_end = text(tags.get(q + "OrgnlEndToEndId"))
                    if not end_to_end:
                        raise StatementError([Problem.of(
                            element.sourceline or 0, "a rejected transaction has no "
                            "OrgnlEndToEndId: which collection it is cannot be known")])
                    yield Rejection(message_id, payment, end_to_end, reason_of(tags, q),
                                    element.sourceline or 0)
                element.clear(keep_tail=False)
    except etree.XMLSyntaxError as exc:
        raise StatementError([Problem.of(exc.lineno or 0, "the XML is malformed: %(reason)s",
                                         reason=exc.msg)]) from exc
    if not namespace:
        raise StatementError([Problem.of(0, "this is not a pain.002 payment status report")])


def reason_of(tags: dict[str, Any], q: str) -> str:
    """The ISO reason code (``AC04``, ``MD01``...), else a proprietary one."""
    reason = children(children(tags.get(q + "StsRsnInf")).get(q + "Rsn"))
    return (text(reason.get(q + "Cd")) or text(reason.get(q + "Prtry")))[:4]
