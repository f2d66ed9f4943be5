"""RFC 5730 responses: results, extValue, msgQ, trID, and typed resData / extensions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from bureau.epp.core import Greeting, parse_greeting
from bureau.epp.errors import FrameError
from bureau.epp.namespaces import EPP
from bureau.epp.registry import parser_for
from bureau.epp.xmlutil import (
    Element,
    child,
    need,
    opt_datetime,
    parse_int,
    parse_xml,
    req_text,
    text,
)


@dataclass(frozen=True)
class ExtValue:
    """Why a command failed: the offending element (as XML text) and the server's reason."""

    value: str
    reason: str


# Read-only by convention, not frozen, like Response: every answer holds at least one.
@dataclass
class Result:
    code: int
    message: str
    lang: str = "en"
    values: tuple[str, ...] = ()
    ext_values: tuple[ExtValue, ...] = ()


@dataclass(frozen=True)
class MessageQueue:
    count: int
    id: str
    queued: datetime | None = None
    message: str | None = None
    lang: str = "en"


# Read-only by convention, not frozen: availability searches build thousands a second, and a
# frozen dataclass takes two to three times as long to build.
@dataclass
class Response:
    results: tuple[Result, ...]
    cltrid: str | None
    svtrid: str
    data: Any = None
    extensions: tuple[Any, ...] = ()
    unknown_extensions: tuple[Element, ...] = field(default=(), repr=False)
    unknown_data: tuple[Element, ...] = field(default=(), repr=False)
    msgq: MessageQueue | None = None
    raw: bytes = field(default=b"", repr=False, compare=False)

    @property
    def code(self) -> int:
        return self.results[0].code

    @property
    def message(self) -> str:
        return self.results[0].message

    @property
    def ok(self) -> bool:
        return self.code < 2000

    @property
    def reason(self) -> str | None:
        """The first extValue reason, which is what a person needs to read after a failure."""
        for result in self.results:
            for ext in result.ext_values:
                return ext.reason
        return None

    def extension(self, kind: type[Any]) -> Any:
        """The first parsed extension of a type (e.g. `FeeCheckData`), or None."""
        return next((e for e in self.extensions if isinstance(e, kind)), None)


def _xml_text(node: Element) -> str:
    return etree.tostring(node, encoding="unicode", with_tail=False)


_MSG, _VALUE, _EXTVALUE = (f"{{{EPP}}}{tag}" for tag in ("msg", "value", "extValue"))


def _result(node: Element) -> Result:
    code = node.get("code")
    if code is None or not code.isdigit() or len(code) != 4:
        raise FrameError(f"result without a valid 4-digit code: {code!r}")
    msg = None
    values: list[str] = []
    ext_values: list[ExtValue] = []
    for item in node:  # one pass: msg, then any value / extValue, in document order
        tag = item.tag
        if tag == _MSG:
            if msg is None:
                msg = item
        elif tag == _VALUE:
            values.append(_xml_text(item[0]) if len(item) else text(item))
        elif tag == _EXTVALUE:
            value = need(item, EPP, "value")
            ext_values.append(
                ExtValue(
                    value=_xml_text(value[0]) if len(value) else text(value),
                    reason=req_text(item, EPP, "reason"),
                )
            )
    if msg is None:
        raise FrameError("<result> lacks its required <msg> element")
    return Result(
        code=int(code),
        message=text(msg),
        lang=msg.get("lang", "en"),
        values=tuple(values),
        ext_values=tuple(ext_values),
    )


def _msgq(node: Element) -> MessageQueue:
    count, msg_id = node.get("count"), node.get("id")
    if count is None or msg_id is None:
        raise FrameError("<msgQ> needs both count and id attributes")
    msg = child(node, EPP, "msg")
    message = None
    if msg is not None:
        # A msg may hold mixed content: keep its text, flattened.
        message = "".join(str(t) for t in msg.itertext()).strip()
    return MessageQueue(
        count=parse_int(count),
        id=msg_id,
        queued=opt_datetime(node, EPP, "qDate"),
        message=message,
        lang=msg.get("lang", "en") if msg is not None else "en",
    )


def _parse_parts(container: Element | None) -> tuple[list[Any], list[Element]]:
    known: list[Any] = []
    unknown: list[Element] = []
    if container is None:
        return known, unknown
    for node in container:
        if not isinstance(node.tag, str):  # comments, processing instructions
            continue
        parse = parser_for(node)
        if parse is None:
            unknown.append(node)
            continue
        try:
            known.append(parse(node))
        except ValueError as exc:  # a value our types refuse: the server broke the syntax
            raise FrameError(f"bad <{etree.QName(node).localname}> from the server: {exc}") from exc
    return known, unknown


_RESULT, _MSGQ, _RESDATA, _EXTENSION, _TRID = (
    f"{{{EPP}}}{tag}" for tag in ("result", "msgQ", "resData", "extension", "trID")
)


_CLTRID, _SVTRID = f"{{{EPP}}}clTRID", f"{{{EPP}}}svTRID"


def _trid(tr: Element) -> tuple[str | None, str]:
    cltrid = svtrid = None
    for node in tr:
        tag = node.tag
        if tag == _CLTRID:
            if cltrid is None:
                cltrid = text(node)
        elif tag == _SVTRID and svtrid is None:
            svtrid = text(node)
    if svtrid is None:
        raise FrameError("<trID> lacks its required <svTRID> element")
    return cltrid, svtrid


_RESPONSE, _EPP_ROOT = f"{{{EPP}}}response", f"{{{EPP}}}epp"


def response_from_element(root: Element, raw: bytes = b"") -> Response:
    resp = next(root.iterchildren(_RESPONSE), None)
    if resp is None:
        raise FrameError("<epp> lacks its required <response> element")
    results: list[Result] = []
    msgq_node = resdata = extension = tr = None
    for node in resp:  # one pass over the children, in schema order or not
        tag = node.tag
        if tag == _RESULT:
            results.append(_result(node))
        elif tag == _TRID:
            tr = node
        elif tag == _RESDATA:
            resdata = node
        elif tag == _EXTENSION:
            extension = node
        elif tag == _MSGQ:
            msgq_node = node
    if not results:
        raise FrameError("response without any <result>")
    if tr is None:
        raise FrameError("<response> lacks its required <trID> element")
    cltrid, svtrid = _trid(tr)
    data, unknown_data = _parse_parts(resdata)
    extensions, unknown_ext = _parse_parts(extension)
    return Response(
        results=tuple(results),
        cltrid=cltrid,
        svtrid=svtrid,
        data=data[0] if len(data) == 1 else (tuple(data) if data else None),
        extensions=tuple(extensions),
        unknown_extensions=tuple(unknown_ext),
        unknown_data=tuple(unknown_data),
        msgq=_msgq(msgq_node) if msgq_node is not None else None,
        raw=raw,
    )


def _root(data: bytes) -> Element:
    root = parse_xml(data)
    if root.tag != _EPP_ROOT:
        raise FrameError(f"not an EPP frame: root element is {root.tag}")
    return root


def parse_response(data: bytes) -> Response:
    """Parse a <response> frame into a Response with typed resData and extensions."""
    return response_from_element(_root(data), data)


def parse_frame(data: bytes) -> Response | Greeting:
    """Parse a frame from a server: a greeting or a response."""
    root = _root(data)
    if child(root, EPP, "greeting") is not None:
        return parse_greeting(root)
    return response_from_element(root, data)
