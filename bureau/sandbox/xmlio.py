"""Safe parsing of incoming frames and small helpers to build outgoing ones (lxml).

The parser never resolves entities, loads a DTD or touches the network, and refuses huge trees:
a frame with a DOCTYPE is refused outright (that is where entity bombs live).
"""

from __future__ import annotations

import functools
from typing import Any

from lxml import etree

from bureau.epp import namespaces as ns
from bureau.sandbox.errors import EppError

Element = etree._Element


def make_parser() -> etree.XMLParser:
    """One per thread: lxml parsers must not be shared between threads."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=True,
                           remove_comments=True, remove_pis=True)


def parse_frame(data: bytes, parser: etree.XMLParser) -> Element:
    """Parse one frame; raise EppError(2001) saying why it is not acceptable XML."""
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise EppError(2001, f"not well-formed XML: {exc.msg}") from None
    except ValueError as exc:  # e.g. a unicode string with an encoding declaration
        raise EppError(2001, f"not well-formed XML: {exc}") from None
    docinfo: Any = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise EppError(2001, "DOCTYPE and entity declarations are not allowed in EPP frames")
    root = tree.getroot()
    if root.tag != f"{{{ns.EPP}}}epp":
        raise EppError(2001, f"the root element must be <epp> in {ns.EPP}, not {root.tag}")
    return root


def q(prefix: str, local: str) -> str:
    """Clark name from a prefix of bureau.epp.namespaces.PREFIXES: q('domain', 'name')."""
    return f"{{{ns.PREFIXES[prefix]}}}{local}"


def el(tag: str, text: str | None = None, attrs: dict[str, str] | None = None) -> Element:
    """A detached element 'prefix:local' declaring its namespace."""
    prefix, local = tag.split(":")
    node = etree.Element(q(prefix, local), attrs or {}, nsmap={prefix: ns.PREFIXES[prefix]})
    if text is not None:
        node.text = text
    return node


def sub(parent: Element, tag: str, text: str | None = None,
        attrs: dict[str, str] | None = None) -> Element:
    prefix, local = tag.split(":")
    node = etree.SubElement(parent, q(prefix, local), attrs or {})
    if text is not None:
        node.text = text
    return node


@functools.lru_cache(maxsize=512)
def _path(tag: str) -> str:
    """'domain:authInfo/domain:pw' -> Clark-notation path for find()."""
    return "/".join(q(*step.split(":")) for step in tag.split("/"))


def child(parent: Element, tag: str) -> Element | None:
    return parent.find(_path(tag))


def children(parent: Element, tag: str) -> list[Element]:
    return parent.findall(_path(tag))


def text(parent: Element, tag: str, default: str | None = None) -> str | None:
    node = child(parent, tag)
    if node is None or node.text is None:
        return default
    return node.text.strip()


def required_text(parent: Element, tag: str) -> str:
    value = text(parent, tag)
    if not value:
        raise EppError(2003, f"<{tag}> is required")
    return value


def tostring(node: Element) -> str:
    return etree.tostring(node, encoding="unicode")


def fromstring(data: str) -> Element:
    return etree.fromstring(data.encode(), make_parser())
