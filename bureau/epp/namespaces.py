"""XML namespace URIs of EPP and the extensions Bureau speaks."""

from __future__ import annotations

EPP = "urn:ietf:params:xml:ns:epp-1.0"
EPPCOM = "urn:ietf:params:xml:ns:eppcom-1.0"
DOMAIN = "urn:ietf:params:xml:ns:domain-1.0"
HOST = "urn:ietf:params:xml:ns:host-1.0"
CONTACT = "urn:ietf:params:xml:ns:contact-1.0"
SECDNS = "urn:ietf:params:xml:ns:secDNS-1.1"
RGP = "urn:ietf:params:xml:ns:rgp-1.0"
FEE = "urn:ietf:params:xml:ns:epp:fee-1.0"
BDN = "urn:ietf:params:xml:ns:epp:b-dn"
CHANGE_POLL = "urn:ietf:params:xml:ns:changePoll-1.0"
LOGIN_SEC = "urn:ietf:params:xml:ns:epp:loginSec-1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

OBJECTS = (DOMAIN, HOST, CONTACT)
EXTENSIONS = (SECDNS, RGP, FEE, BDN, CHANGE_POLL, LOGIN_SEC)

# The prefixes used when Bureau writes a frame (any prefix is valid on the wire).
PREFIXES = {
    "epp": EPP,
    "domain": DOMAIN,
    "host": HOST,
    "contact": CONTACT,
    "secDNS": SECDNS,
    "rgp": RGP,
    "fee": FEE,
    "b-dn": BDN,
    "changePoll": CHANGE_POLL,
    "loginSec": LOGIN_SEC,
}
