"""Outgoing frames: the greeting and command responses (RFC 5730 section 2)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bureau.epp import namespaces as ns
from bureau.sandbox.clock import format_time
from bureau.sandbox.errors import CLOSING_CODES, MESSAGES, EppError
from bureau.sandbox.xmlio import Element

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
    svtrid: str | None = None  # the server's transaction id when the handler chose it

    @classmethod
    def error(cls, exc: EppError) -> Result:
        return cls(code=exc.code, msg=exc.message, close=exc.code in CLOSING_CODES)


_HEAD = ("<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n"
         f'<epp xmlns="{ns.EPP}"><response><result code="')
_OPEN = len(f' xmlns="{ns.EPP}"') + 1  # the wrapper's declaration, after '<' + its name
# Characters lxml refuses or writes as character references in text: leave those frames to it.
_AWKWARD = re.compile(r"[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrapped(local: str, elements: list[Element]) -> str:
    """`<resData>...</resData>` as in a whole response: moving the elements under an element
    declaring the EPP default namespace makes lxml drop the same redundant declarations."""
    wrapper = etree.Element(_EPP + local, nsmap=_NSMAP)
    wrapper.extend(elements)
    return "<" + local + etree.tostring(wrapper, encoding="unicode")[len(local) + _OPEN:]


def render(result: Result, cltrid: str | None, svtrid: str) -> bytes:
    """The response frame, written as text around the serialised resData and extension
    elements: byte for byte what `render_tree` builds (tests compare), at a fraction of the
    cost per command."""
    msg = result.msg or MESSAGES.get(result.code, "")
    texts = [msg, svtrid]
    if cltrid is not None:
        texts.append(cltrid)
    if result.msgq is not None and result.msgq.msg is not None:
        texts.append(result.msgq.msg)
    if any(_AWKWARD.search(t) for t in texts):
        return render_tree(result, cltrid, svtrid)
    parts = [_HEAD, str(result.code), '"><msg>', _text(msg), "</msg></result>"]
    msgq = result.msgq
    if msgq is not None:
        parts += ['<msgQ count="', str(msgq.count), '"']
        if msgq.id is not None:
            parts += [' id="', str(msgq.id), '"']
        if msgq.qdate is None and msgq.msg is None:
            parts.append("/>")
        else:
            parts.append(">")
            if msgq.qdate is not None:
                parts += ["<qDate>", format_time(msgq.qdate), "</qDate>"]
            if msgq.msg is not None:
                parts += ["<msg>", _text(msgq.msg), "</msg>"]
            parts.append("</msgQ>")
    if result.resdata:
        parts.append(_wrapped("resData", result.resdata))
    if result.extension:
        parts.append(_wrapped("extension", result.extension))
    parts.append("<trID>")
    if cltrid is not None:
        parts += ["<clTRID>", _text(cltrid), "</clTRID>"]
    parts += ["<svTRID>", _text(svtrid), "</svTRID></trID></response></epp>"]
    return "".join(parts).encode()


def render_tree(result: Result, cltrid: str | None, svtrid: str) -> bytes:
    """The response built as an lxml tree: `render` gives the same bytes, faster."""
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
    # Public: other registrars see contact data, except what a contact's disclose
    # flag="0" withholds (contacts.info).
    recipient = etree.SubElement(statement, _EPP + "recipient")
    etree.SubElement(recipient, _EPP + "ours")
    etree.SubElement(recipient, _EPP + "public")
    etree.SubElement(etree.SubElement(statement, _EPP + "retention"), _EPP + "stated")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)
