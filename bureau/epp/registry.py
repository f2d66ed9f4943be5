"""Parsers of resData and extension elements, keyed by (namespace, local name).

Object mappings and extensions register here when imported; the response parser looks them up,
so adding an extension never touches the core. Elements nobody registered stay raw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lxml import etree

Parser = Callable[[etree._Element], Any]
F = TypeVar("F", bound=Parser)

_PARSERS: dict[tuple[str, str], Parser] = {}
# The same parsers keyed by Clark name `{ns}tag`, which is what node.tag already is: one dict
# lookup per element instead of building a QName.
_BY_TAG: dict[str, Parser] = {}


def parses(ns: str, *tags: str) -> Callable[[F], F]:
    """Decorator: register a function as the parser of `<ns:tag>` elements."""

    def register(func: F) -> F:
        for tag in tags:
            _PARSERS[(ns, tag)] = func
            _BY_TAG[f"{{{ns}}}{tag}"] = func
        return func

    return register


def parser_for(node: etree._Element) -> Parser | None:
    tag = node.tag
    # Elements without a namespace have a bare tag, as ("", tag) would have been registered.
    return _BY_TAG.get(tag) if tag[:1] == "{" else _PARSERS.get(("", tag))


def known_namespaces() -> frozenset[str]:
    return frozenset(ns for ns, _ in _PARSERS)
