"""Validation of EPP frames against the IETF schemas (RFC 5730-5734 and the extensions).

The XSD files in `xsd/` are the official ones, unchanged (the tests check their SHA-256
digests). One wrapper schema imports them all, as the schemas' strict wildcards
require every namespace of a frame to be known.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).with_name("xsd")

_FILES = {
    "urn:ietf:params:xml:ns:eppcom-1.0": "eppcom-1.0.xsd",
    "urn:ietf:params:xml:ns:epp-1.0": "epp-1.0.xsd",
    "urn:ietf:params:xml:ns:domain-1.0": "domain-1.0.xsd",
    "urn:ietf:params:xml:ns:host-1.0": "host-1.0.xsd",
    "urn:ietf:params:xml:ns:contact-1.0": "contact-1.0.xsd",
    "urn:ietf:params:xml:ns:secDNS-1.1": "secDNS-1.1.xsd",
    "urn:ietf:params:xml:ns:rgp-1.0": "rgp-1.0.xsd",
    "urn:ietf:params:xml:ns:epp:fee-1.0": "fee-1.0.xsd",
    "urn:ietf:params:xml:ns:epp:b-dn": "b-dn-1.0.xsd",
    "urn:ietf:params:xml:ns:changePoll-1.0": "changePoll-1.0.xsd",
    "urn:ietf:params:xml:ns:epp:loginSec-1.0": "loginSec-1.0.xsd",
}


class SchemaError(ValueError):
    """A frame does not validate; the message names the first problem and its line."""


@functools.cache
def schema(xsd_dir: Path = XSD_DIR) -> etree.XMLSchema:
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(xsd_dir / name).as_uri()}"/>'
        for ns, name in _FILES.items()
    )
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:bureau:schema-wrapper">' + imports + "</xs:schema>"
    )
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


def validate(frame: bytes | etree._Element, xsd_dir: Path = XSD_DIR) -> None:
    """Raise SchemaError unless `frame` (bytes or a parsed element) is valid EPP."""
    root = frame if isinstance(frame, etree._Element) else etree.fromstring(frame)
    checker = schema(xsd_dir)
    if not checker.validate(root):
        error = checker.error_log.last_error  # type: ignore[attr-defined]  # missing in lxml-stubs
        raise SchemaError(f"line {error.line}: {error.message}")
