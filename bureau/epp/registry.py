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


def parses(ns: str, *tags: str) -> Callable[[F], F]:
    """Decorator: register a function as the parser of `<ns:tag>` elements."""

    def register(func: F) -> F:
        for tag in tags:
            _PARSERS[(ns, tag)] = func
        return func

    return register


def parser_for(node: etree._Element) -> Parser | None:
    name = etree.QName(node)
    return _PARSERS.get((name.namespace or "", name.localname))


def known_namespaces() -> frozenset[str]:
    return frozenset(ns for ns, _ in _PARSERS)
