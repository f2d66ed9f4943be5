"""RDAP response objects (RFC 9083) as the ICANN gTLD RDAP Response Profile (February 2024)
asks of a registrar, with redaction marked per RFC 9537.

A contact's personal data is published only when the holder consented (``Contact.disclose``,
the portal's "publish in directory"); otherwise each field is emptied or removed and named in
the ``redacted`` member. Country and state or province stay, as the profile allows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bureau.core import clock
from bureau.registrar.domains.models import DomainState
from bureau.registrar.domains.names import to_u_label

from . import conf
from .bootstrap import registry_base_url
from .lookup import Party, Registration
from .statuses import rdap_statuses

CONFORMANCE = ["rdap_level_0", "icann_rdap_response_profile_1",
               "icann_rdap_technical_implementation_guide_1", "redacted"]
JSON_PATH = "jsonpath"
REDACTION_REASON = {"description": "Server policy"}
# Role in the response, label used in the names of redacted fields (RFC 9537, profile 2.7.4).
ROLES = [("registrant", "Registrant"), ("administrative", "Admin"), ("technical", "Tech")]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def link(href: str, rel: str, value: str, media: str = "application/rdap+json") -> dict[str, str]:
    return {"value": value, "rel": rel, "href": href, "type": media}


def notices(self_url: str) -> list[dict[str, Any]]:
    """The notices every answer carries (profile 2.6.3, 2.11; TIG 3.3)."""
    terms = conf.get("BUREAU_RDAP_TERMS_URL") or conf.base_url() + "help"
    return [
        {"title": "Terms of Use",
         "description": ["Registration data is given for lawful purposes only; see the "
                         "terms of service."],
         "links": [link(terms, "terms-of-service", self_url, "text/html")]},
        {"title": "Status Codes",
         "description": ["For more information on domain status codes, please visit "
                         "https://icann.org/epp"],
         "links": [link("https://icann.org/epp", "glossary", self_url, "text/html")]},
        {"title": "RDDS Inaccuracy Complaint Form",
         "description": ["URL of the ICANN RDDS Inaccuracy Complaint Form: "
                         "https://icann.org/wicf"],
         "links": [link("https://icann.org/wicf", "help", self_url, "text/html")]},
    ]


def envelope(body: dict[str, Any], self_url: str) -> dict[str, Any]:
    return {"rdapConformance": CONFORMANCE, **body, "notices": notices(self_url)}


def registrar_entity(self_url: str) -> dict[str, Any]:
    """The sponsoring registrar: IANA ID as handle and public ID, with its abuse contact."""
    iana = conf.iana_id()
    name = conf.get("BUREAU_RDAP_REGISTRAR_NAME", "Bureau")
    vcard: list[list[Any]] = [["version", {}, "text", "4.0"], ["fn", {}, "text", name]]
    url = conf.get("BUREAU_RDAP_REGISTRAR_URL")
    if url:
        vcard.append(["url", {}, "uri", url])
    abuse_vcard: list[list[Any]] = [
        ["version", {}, "text", "4.0"], ["fn", {}, "text", f"{name} abuse"],
        ["tel", {"type": "voice"}, "uri", "tel:" + conf.get("BUREAU_RDAP_ABUSE_PHONE",
                                                            "+33.000000000")],
        ["email", {}, "text", conf.abuse_email()],
    ]
    entity_url = conf.base_url() + f"entity/{iana}"
    return {
        "objectClassName": "entity",
        "handle": iana,
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": iana}],
        "vcardArray": ["vcard", vcard],
        "links": [link(entity_url, "self", self_url)],
        "entities": [{"objectClassName": "entity", "roles": ["abuse"],
                      "vcardArray": ["vcard", abuse_vcard]}],
    }


def _vcard(contact: Party, publish: bool, domain: str) -> list[list[Any]]:
    street = contact.street_lines if publish else []
    adr = ["", "", street if len(street) > 1 else (street[0] if street else ""),
           contact.city if publish else "", contact.state,
           contact.postal_code if publish else "", contact.country]
    vcard: list[list[Any]] = [
        ["version", {}, "text", "4.0"],
        ["fn", {}, "text", contact.name if publish else ""],
    ]
    if contact.org and publish:
        vcard.append(["org", {}, "text", contact.org])
    vcard.append(["adr", {"cc": contact.country}, "text", adr])
    if publish:
        vcard.append(["tel", {"type": "voice"}, "uri", f"tel:{contact.phone}"])
        if contact.fax:
            vcard.append(["tel", {"type": "fax"}, "uri", f"tel:{contact.fax}"])
        vcard.append(["email", {}, "text", contact.email])
    else:
        vcard.append(["contact-uri", {}, "uri", conf.contact_url(domain)])
    return vcard


def _redactions(contact: Party, role: str, label: str) -> list[dict[str, Any]]:
    """What was taken out of a contact not published, each with its JSONPath (RFC 9537)."""
    entity = f"$.entities[?(@.roles[0]=='{role}')]"
    vcard = f"{entity}.vcardArray[1]"
    adr = f"{vcard}[?(@[0]=='adr')][3]"

    def removed(name: str, path: str) -> dict[str, Any]:
        return {"name": {"type": name}, "prePath": path, "pathLang": JSON_PATH,
                "method": "removal", "reason": REDACTION_REASON}

    def emptied(name: str, path: str) -> dict[str, Any]:
        return {"name": {"type": name}, "postPath": path, "pathLang": JSON_PATH,
                "method": "emptyValue", "reason": REDACTION_REASON}

    items = [
        removed(f"Registry {label} ID", f"{entity}.handle"),
        emptied(f"{label} Name", f"{vcard}[?(@[0]=='fn')][3]"),
    ]
    if contact.org:
        items.append(removed(f"{label} Organization", f"{vcard}[?(@[0]=='org')]"))
    items += [
        emptied(f"{label} Street", f"{adr}[:3]"),
        emptied(f"{label} City", f"{adr}[3]"),
        emptied(f"{label} Postal Code", f"{adr}[5]"),
        removed(f"{label} Phone", f"{vcard}[?(@[1].type=='voice')]"),
    ]
    if contact.fax:
        items.append(removed(f"{label} Fax", f"{vcard}[?(@[1].type=='fax')]"))
    items.append(removed(f"{label} Email", f"{vcard}[?(@[0]=='email')]"))
    return items


def contact_entity(contact: Party, role: str, domain: str, self_url: str) -> dict[str, Any]:
    publish = contact.disclose
    entity: dict[str, Any] = {"objectClassName": "entity", "roles": [role]}
    # The registry's handle is published only with the rest (profile 2.7.4.1).
    if publish and contact.handle:
        entity["handle"] = contact.handle
        entity["links"] = [link(conf.base_url() + f"entity/{contact.handle}", "self",
                                self_url)]
    entity["vcardArray"] = ["vcard", _vcard(contact, publish, domain)]
    return entity


def _events(found: Registration) -> list[dict[str, str]]:
    dated = [("registration", found.registered_at), ("expiration", found.expires_at),
             ("transfer", found.transferred_at), ("last changed", found.updated_at),
             ("last update of RDAP database", clock.now())]
    return [{"eventAction": action, "eventDate": iso(moment)} for action, moment in dated
            if moment is not None]


def _statuses(found: Registration) -> list[str]:
    epp = list(found.statuses)
    # Bureau's own state speaks when the registry's last answer is older than it.
    implied = {str(DomainState.REDEMPTION): "redemptionPeriod",
               str(DomainState.PENDING_DELETE): "pendingDelete",
               str(DomainState.PENDING_TRANSFER_OUT): "pendingTransfer"}.get(found.state)
    if implied and implied not in epp:
        epp.append(implied)
    return rdap_statuses(epp) or ["active"]


def _names(a_label: str) -> dict[str, str]:
    names = {"ldhName": a_label}
    u_label = to_u_label(a_label)
    if u_label != a_label:
        names["unicodeName"] = u_label
    return names


def domain_response(found: Registration, queried: str) -> dict[str, Any]:
    """The registrar's answer for ``queried`` (A-label): the name itself or one of its
    bundled names (RFC 9095), whose other names are listed as conjoined variants."""
    self_url = conf.base_url() + f"domain/{queried}"
    body: dict[str, Any] = {"objectClassName": "domain"}
    if found.roid:
        body["handle"] = found.roid
    body.update(_names(queried))
    others = [name for name in (found.name, *found.bundled) if name != queried]
    if others:
        body["variants"] = [{"relation": ["conjoined"],
                             "variantNames": [_names(name) for name in others]}]
    links = [link(self_url, "self", self_url)]
    registry = registry_base_url(found.tld)
    if registry:
        links.append(link(registry + f"domain/{queried}", "related", self_url))
    body["links"] = links
    body["status"] = _statuses(found)
    # RDAP statuses carry no text: the registry's reasons ("Payment overdue.") as remarks
    # (RFC 9083 section 4.3), in the language they were given in.
    reasons = [s for s in found.statuses_shown if s.reason]
    if reasons:
        body["remarks"] = [{"title": f"EPP status {s.value}", "description": [s.reason],
                            **({"lang": s.lang} if s.lang else {})} for s in reasons]
    body["events"] = _events(found)
    entities = [registrar_entity(self_url)]
    redacted: list[dict[str, Any]] = []
    for role, label in ROLES:
        contact = found.parties.get(role)
        if contact is None:
            continue
        entities.append(contact_entity(contact, role, queried, self_url))
        if not contact.disclose:
            redacted += _redactions(contact, role, label)
    body["entities"] = entities
    body["nameservers"] = [{"objectClassName": "nameserver", **_names(ns)}
                           for ns in found.nameservers]
    ds = [{"keyTag": key_tag, "algorithm": algorithm, "digestType": digest_type,
           "digest": digest.upper()} for key_tag, algorithm, digest_type, digest in found.ds]
    body["secureDNS"] = {"delegationSigned": bool(ds), **({"dsData": ds} if ds else {})}
    if redacted:
        body["redacted"] = redacted
    return envelope(body, self_url)


def entity_response(entity: dict[str, Any], self_url: str) -> dict[str, Any]:
    return envelope(entity, self_url)


def help_response(self_url: str) -> dict[str, Any]:
    return envelope({}, self_url)


def error_response(code: int, title: str, description: str, self_url: str) -> dict[str, Any]:
    """An RDAP error object (RFC 9083 section 6)."""
    return envelope({"errorCode": code, "title": title, "description": [description]},
                    self_url)
