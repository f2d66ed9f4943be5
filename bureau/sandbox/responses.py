"""Outgoing frames: the greeting and command responses (RFC 5730 section 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bureau.epp import namespaces as ns
from bureau.sandbox.clock import format_time
from bureau.sandbox.errors import CLOSING_CODES, MESSAGES, EppError
from bureau.sandbox.xmlio import Element, sub

_EPP = f"{{{ns.EPP}}}"
_NSMAP: Any = {None: ns.EPP}  # default namespace (lxml-stubs wants str keys)


@dataclass
class MsgQ:
    count: int
    id: int | None = None
    qdate: int | None = None
    msg: str | None = None


@dataclass
class Result:
    """What a handler answers; `close` ends the session after sending it."""

    code: int = 1000
    msg: str | None = None
    resdata: list[Element] = field(default_factory=list)
    extension: list[Element] = field(default_factory=list)
    msgq: MsgQ | None = None
    close: bool = False

    @classmethod
    def error(cls, exc: EppError) -> Result:
        return cls(code=exc.code, msg=exc.message, close=exc.code in CLOSING_CODES)


def render(result: Result, cltrid: str | None, svtrid: str) -> bytes:
    root = etree.Element(_EPP + "epp", nsmap=_NSMAP)
    response = etree.SubElement(root, _EPP + "response")
    res = etree.SubElement(response, _EPP + "result", code=str(result.code))
    etree.SubElement(res, _EPP + "msg").text = result.msg or MESSAGES.get(result.code, "")
    if result.msgq is not None:
        q = etree.SubElement(response, _EPP + "msgQ", count=str(result.msgq.count))
        if result.msgq.id is not None:
            q.set("id", str(result.msgq.id))
        if result.msgq.qdate is not None:
            etree.SubElement(q, _EPP + "qDate").text = format_time(result.msgq.qdate)
        if result.msgq.msg is not None:
            etree.SubElement(q, _EPP + "msg").text = result.msgq.msg
    if result.resdata:
        data = etree.SubElement(response, _EPP + "resData")
        data.extend(result.resdata)
    if result.extension:
        ext = etree.SubElement(response, _EPP + "extension")
        ext.extend(result.extension)
    trid = etree.SubElement(response, _EPP + "trID")
    if cltrid is not None:
        etree.SubElement(trid, _EPP + "clTRID").text = cltrid
    etree.SubElement(trid, _EPP + "svTRID").text = svtrid
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)


def greeting(server_id: str, now: int) -> bytes:
    root = etree.Element(_EPP + "epp", nsmap=_NSMAP)
    greet = etree.SubElement(root, _EPP + "greeting")
    etree.SubElement(greet, _EPP + "svID").text = server_id
    etree.SubElement(greet, _EPP + "svDate").text = format_time(now)
    menu = etree.SubElement(greet, _EPP + "svcMenu")
    etree.SubElement(menu, _EPP + "version").text = "1.0"
    etree.SubElement(menu, _EPP + "lang").text = "en"
    for uri in ns.OBJECTS:
        etree.SubElement(menu, _EPP + "objURI").text = uri
    ext = etree.SubElement(menu, _EPP + "svcExtension")
    for uri in ns.EXTENSIONS:
        etree.SubElement(ext, _EPP + "extURI").text = uri
    dcp = etree.SubElement(greet, _EPP + "dcp")
    etree.SubElement(etree.SubElement(dcp, _EPP + "access"), _EPP + "all")
    statement = etree.SubElement(dcp, _EPP + "statement")
    purpose = etree.SubElement(statement, _EPP + "purpose")
    etree.SubElement(purpose, _EPP + "admin")
    etree.SubElement(purpose, _EPP + "prov")
    recipient = etree.SubElement(statement, _EPP + "recipient")
    etree.SubElement(recipient, _EPP + "ours")
    etree.SubElement(recipient, _EPP + "public")
    etree.SubElement(etree.SubElement(statement, _EPP + "retention"), _EPP + "stated")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)


def add_status(parent: Element, tag: str, statuses: list[str]) -> None:
    """`<x:status s="..."/>` elements, 'ok' when there is none to show."""
    for status in statuses or ["ok"]:
        sub(parent, tag, attrs={"s": status})
