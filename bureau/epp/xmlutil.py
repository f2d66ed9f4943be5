"""Small lxml helpers shared by the frame modules: building, reading, dates."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from bureau.epp.errors import FrameError
from bureau.epp.namespaces import EPP, PREFIXES

Element = etree._Element

# Responses come from the network: no entities, no DTD, no network, no huge trees.
# One parser per thread: lxml serialises the threads that share a parser on its lock.
_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
    return parser


# EPP itself goes in the default namespace, as in the RFC examples; the rest get prefixes.
_PREFIX_OF: dict[str, str | None] = {uri: prefix for prefix, uri in PREFIXES.items()}
_PREFIX_OF[EPP] = None


def q(ns: str, tag: str) -> str:
    """Clark notation `{ns}tag`."""
    return f"{{{ns}}}{tag}"


def el(ns: str, tag: str, text: str | None = None, **attrs: str) -> Element:
    """A new element with the conventional prefix for its namespace."""
    prefix = _PREFIX_OF.get(ns, "ext")
    nsmap: Any = {prefix: ns}  # lxml accepts None as the default-namespace key
    node = etree.Element(q(ns, tag), nsmap=nsmap)
    if text is not None:
        node.text = text
    for key, value in attrs.items():
        node.set(key, value)
    return node


def sub(parent: Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> Element:
    """Append a child element; the parent's prefixes are reused, new namespaces declared."""
    clark = f"{{{ns}}}{tag}"
    if parent.tag.startswith(clark[: len(ns) + 2]):  # same namespace as the parent: in scope
        node = etree.SubElement(parent, clark, attrs or None)
    else:
        prefix = _PREFIX_OF.get(ns, "ext")
        nsmap: Any = {prefix: ns} if parent.nsmap.get(prefix) != ns else None
        node = etree.SubElement(parent, clark, attrs or None, nsmap=nsmap)
    if text is not None:
        node.text = text
    return node


def epp_root() -> Element:
    return el(EPP, "epp")


# Skeletons copied rather than built: lxml copies a small subtree in a fraction of the time it
# takes to create its elements and namespace declarations one by one, and every command starts
# the same way. Per thread, like the parsers: a tree is only ever read by the thread that made it.
_SKELETONS = threading.local()


def copy_of(key: Any, make: Callable[[], Element]) -> Element:
    """A fresh copy of the skeleton ``make()`` builds, built once per thread and ``key``."""
    cache: dict[Any, Any] | None = getattr(_SKELETONS, "cache", None)
    if cache is None:
        cache = _SKELETONS.cache = {}
    skeleton: Any = cache.get(key)
    if skeleton is None:
        skeleton = cache[key] = make()
    # lxml's copy is deep, and calling it directly spares copy.deepcopy's overhead.
    return skeleton.__copy__()


def serialize(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)


def parse_xml(data: bytes) -> Element:
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FrameError(f"response is not well-formed XML: {exc}") from exc


def localname(node: Element) -> str:
    return etree.QName(node).localname


def namespace(node: Element) -> str:
    return etree.QName(node).namespace or ""


def children(node: Element, ns: str, tag: str) -> Iterator[Element]:
    return node.iterchildren(q(ns, tag))


def child(node: Element, ns: str, tag: str) -> Element | None:
    # iterchildren(tag) runs in C; find() goes through ElementPath and is several times slower.
    return next(node.iterchildren(q(ns, tag)), None)


def need(node: Element, ns: str, tag: str) -> Element:
    found = next(node.iterchildren(q(ns, tag)), None)
    if found is None:
        raise FrameError(f"<{localname(node)}> lacks its required <{tag}> element")
    return found


def text(node: Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def opt_text(node: Element, ns: str, tag: str) -> str | None:
    found = next(node.iterchildren(q(ns, tag)), None)
    return None if found is None else text(found)


def req_text(node: Element, ns: str, tag: str) -> str:
    return text(need(node, ns, tag))


def texts(node: Element, ns: str, tag: str) -> tuple[str, ...]:
    return tuple(text(c) for c in node.iterchildren(q(ns, tag)))


def parse_datetime(value: str) -> datetime:
    """An XML dateTime as an aware datetime (a value without zone is taken as UTC)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise FrameError(f"not an XML dateTime: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def opt_datetime(node: Element, ns: str, tag: str) -> datetime | None:
    value = opt_text(node, ns, tag)
    return parse_datetime(value) if value else None


def format_datetime(value: datetime) -> str:
    """An aware datetime in UTC with a Z, as registries expect; naive values are refused."""
    if value.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no time zone: pass an aware datetime")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def format_date(value: date) -> str:
    return value.isoformat()


def parse_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    raise FrameError(f"not an XML boolean: {value!r}")


def format_bool(value: bool) -> str:
    return "1" if value else "0"


def parse_decimal(value: str) -> Decimal:
    try:
        return Decimal(value.strip())
    except InvalidOperation as exc:
        raise FrameError(f"not a decimal number: {value!r}") from exc


def parse_int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError as exc:
        raise FrameError(f"not an integer: {value!r}") from exc


def extend(parent: Element, nodes: Iterable[Element]) -> None:
    for node in nodes:
        parent.append(node)
