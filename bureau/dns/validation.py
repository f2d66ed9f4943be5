"""Record and zone validation: bad input never reaches PowerDNS.

`validate_record` checks one record alone (owner, type, TTL, content syntax and meaning);
`validate_zone` checks a whole set of records together (CNAME beside other data, targets that
are CNAMEs, delegations and their glue, one TTL per RRset) and reports ALL problems at once.
Each problem names the record and the field, and says what to fix.

Decisions (documented in docs/dns.md):
- TXT: a string longer than 255 bytes is split into 255-byte strings automatically (DKIM keys
  are pasted as one long string; SPF and DKIM readers join the strings back). Content typed
  without quotes is ONE string (so "v=spf1 a -all" keeps its spaces); quoted content is taken
  as zone-file strings.
- A target written without a final dot is relative to the zone, as in zone files; a target
  that then ends in the zone name twice ("mail.example.org.example.org.") is refused as the
  classic forgotten-dot mistake.
- SOA and the apex NS are managed by Bureau and PowerDNS, not edited as records.

Messages are made when the validation runs, in the active language (the portal request's,
the console person's); `Problem.field` stays the English key the API and the forms use.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.tokenizer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bureau.core.validators import describe, forbidden_character
from bureau.dns.names import InvalidName, owner_name, typed, zone_name
from bureau.dns.records import MAX_TTL, MIN_TTL, SUPPORTED_TYPES, Record, ValidRecord

TXT_CHUNK = 255
CAA_TAGS = frozenset(
    {"issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone"}
)
# What each type's content is, said in the reader's language when a message is made.
CONTENT_HINTS = {
    "A": gettext_lazy("an IPv4 address such as 192.0.2.1"),
    "AAAA": gettext_lazy("an IPv6 address such as 2001:db8::1"),
    "CNAME": gettext_lazy(
        "a host name such as www.example.net. (final dot for names outside the zone)"),
    "MX": gettext_lazy("a preference and a host name, such as: 10 mail.example.net."),
    "TXT": gettext_lazy('text, or quoted strings such as "v=spf1 -all"'),
    "SRV": gettext_lazy("priority weight port target, such as: 0 5 5060 sip.example.net."),
    "CAA": gettext_lazy('flags tag value, such as: 0 issue "letsencrypt.org"'),
    "NS": gettext_lazy("a name server host name such as ns1.example.net."),
    "DS": gettext_lazy(
        "key-tag algorithm digest-type digest, such as: 12345 13 2 <64 hex digits>"),
    "TLSA": gettext_lazy("usage selector matching-type data, such as: 3 1 1 <64 hex digits>"),
    "SSHFP": gettext_lazy("algorithm type fingerprint, such as: 4 2 <64 hex digits>"),
    "HTTPS": gettext_lazy('priority target params, such as: 1 . alpn="h2,h3"'),
    "SVCB": gettext_lazy("priority target params, such as: 1 svc.example.net. port=8443"),
    "PTR": gettext_lazy("a host name such as host.example.net."),
}
# Types whose rdata names a host that must exist as an address, never a CNAME (RFC 2181 10.3).
TARGET_TYPES = {"MX": "exchange", "NS": "target", "SRV": "target"}
_SVC_QUOTED = re.compile(r'\b(mandatory|alpn|port|ipv4hint|ipv6hint)="([^"\\ ]*)"')
_TLSA_OWNER = re.compile(r"^_[0-9]{1,5}\._(tcp|udp|sctp)\.")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: the record, the field, and what to do."""

    field: str  # "name" | "type" | "ttl" | "content": the English key the API and forms use
    message: str  # in the language active when the problem was found
    record: Record | None = None

    @property
    def line(self) -> int | None:
        return self.record.line if self.record is not None else None

    def __str__(self) -> str:
        """The line, the record, the field and the message, in the active language (English:
        "line 3: www 3600 A 999.1.1.1: content: ...")."""
        said = {"field": field_label(self.field), "message": self.message}
        shown = self.record.shown() if self.record is not None else ""
        line = self.line
        if line is None:
            if not shown:
                return _("%(field)s: %(message)s") % said
            return _("%(record)s: %(field)s: %(message)s") % {**said, "record": shown}
        if not shown:
            return _("line %(line)s: %(field)s: %(message)s") % {**said, "line": line}
        return _("line %(line)s: %(record)s: %(field)s: %(message)s") % {
            **said, "line": line, "record": shown}


def field_label(field: str) -> str:
    """A problem's field ("content") as the reader says it (« contenu » in French)."""
    labels = {
        "name": pgettext("field of a DNS record", "name"),
        "type": pgettext("field of a DNS record", "type"),
        "ttl": pgettext("field of a DNS record", "ttl"),
        "content": pgettext("field of a DNS record", "content"),
        "zone": pgettext("field of a DNS record", "zone"),
        "line": pgettext("field of a DNS record", "line"),
    }
    return labels.get(field, field)


class ValidationError(ValueError):
    """The records cannot be published; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or _("invalid input"))


# -- one record -----------------------------------------------------------------------------


def validate_record(zone: str | dns.name.Name, record: Record) -> ValidRecord:
    """Check one record on its own; raises ValidationError listing what is wrong."""
    origin = _origin(zone)
    problems: list[Problem] = []

    def fail(field: str, message: str) -> None:
        problems.append(Problem(field, message, record))

    name: dns.name.Name | None = None
    try:
        name = owner_name(record.name, origin)
    except InvalidName as exc:
        fail("name", str(exc))

    rtype = str(record.rtype).strip().upper()
    if rtype not in SUPPORTED_TYPES:
        fail(
            "type",
            _("type %(type)s is not supported here; use one of %(types)s")
            % {"type": typed(record.rtype), "types": ", ".join(sorted(SUPPORTED_TYPES))},
        )

    ttl = record.ttl
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        fail("ttl", _("TTL %(ttl)s must be a whole number of seconds") % {"ttl": typed(ttl)})
    elif not MIN_TTL <= ttl <= MAX_TTL:
        fail("ttl", _("TTL %(ttl)s is out of range: use %(min)s to %(max)s seconds")
             % {"ttl": ttl, "min": MIN_TTL, "max": MAX_TTL})

    content: str | None = None
    rdata: dns.rdata.Rdata | None = None
    if rtype in SUPPORTED_TYPES:
        try:
            content, rdata = _canonical_content(origin, name, rtype, record.content)
        except _ContentError as exc:
            fail("content", str(exc))

    if problems or name is None or content is None:
        raise ValidationError(problems)
    valid = ValidRecord(name.to_text(), rtype, content, int(ttl), record.line)
    object.__setattr__(valid, "_rdata", rdata)  # already parsed: spare the zone rules a parse
    return valid


class _ContentError(ValueError):
    pass


def _canonical_content(
    origin: dns.name.Name, owner: dns.name.Name | None, rtype: str, content: str
) -> tuple[str, dns.rdata.Rdata]:
    if not isinstance(content, str):
        raise _ContentError(_("content must be text, not %(kind)s")
                            % {"kind": type(content).__name__})
    text = content.strip()
    if not text:
        raise _ContentError(_("content is empty: give %(hint)s") % {"hint": CONTENT_HINTS[rtype]})
    if "\n" in text or "\r" in text:
        raise _ContentError(_("content must be on one line"))
    found = forbidden_character(text, multiline=True)  # a tab separates like a space
    if found is not None:
        raise _ContentError(_("content holds an invisible control character, %(character)s: "
                              "type it again without it") % {"character": describe(found[1])})
    if rtype in ("A", "AAAA"):
        _check_address(rtype, text)
    if rtype == "TXT":
        text = _txt_strings(text)
    try:
        rdata = dns.rdata.from_text(
            dns.rdataclass.IN,
            dns.rdatatype.from_text(rtype),
            text,
            origin=origin,
            relativize=False,
        )
    except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
        detail = str(exc) or exc.__class__.__name__
        raise _ContentError(
            _("%(type)s content %(content)s is not valid (%(detail)s): give %(hint)s")
            % {"type": rtype, "content": typed(content), "detail": detail,
               "hint": CONTENT_HINTS[rtype]}
        ) from exc
    _check_meaning(origin, owner, rtype, rdata)
    text = rdata.to_text()
    if rtype == "AAAA":
        text = _hex_ipv6(text)
    if rtype in ("SVCB", "HTTPS"):
        # PowerDNS 4.7 refuses content not in its own canonical form ("Not in expected
        # format"): it writes these parameters unquoted; dnspython parses both forms.
        text = _SVC_QUOTED.sub(r"\1=\2", text)
    return text, rdata


def _check_address(rtype: str, text: str) -> None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise _ContentError(_("%(content)s is not %(hint)s")
                            % {"content": typed(text), "hint": CONTENT_HINTS[rtype]}) from None
    if rtype == "A" and address.version != 4:
        raise _ContentError(_("%(content)s is an IPv6 address: use an AAAA record for it")
                            % {"content": typed(text)})
    if rtype == "AAAA" and address.version != 6:
        raise _ContentError(_("%(content)s is an IPv4 address: use an A record for it")
                            % {"content": typed(text)})


def _hex_ipv6(text: str) -> str:
    """An IPv6 address in hexadecimal groups only (RFC 5952, without the dotted IPv4 tail that
    PowerDNS refuses in "::ffff:0.0.0.0")."""
    groups = [f"{int(g, 16):x}" for g in ipaddress.IPv6Address(text).exploded.split(":")]
    best, start = (0, 0), None  # the longest run of zero groups, as (length, first)
    for i, group in enumerate([*groups, "end"]):
        if group == "0" and start is None:
            start = i
        elif group != "0" and start is not None:
            best = max(best, (i - start, -start))
            start = None
    length, first = best[0], -best[1]
    if length < 2:
        return ":".join(groups)
    return ":".join(groups[:first]) + "::" + ":".join(groups[first + length:])


def _txt_strings(text: str) -> str:
    """TXT input to zone-file strings, each at most 255 bytes (long strings are split)."""
    if text.startswith('"'):
        try:
            tokens = _quoted_strings(text)
        except dns.exception.DNSException as exc:
            raise _ContentError(
                _("TXT content %(content)s is not a list of quoted strings (%(detail)s): "
                  "close every quote, or give the text without quotes")
                % {"content": typed(text), "detail": exc}
            ) from exc
    else:
        tokens = [text.encode("utf-8")]
    pieces: list[bytes] = []
    for token in tokens:
        pieces.extend(token[i : i + TXT_CHUNK] for i in range(0, len(token), TXT_CHUNK))
        if not token:
            pieces.append(b"")
    if sum(len(p) + 1 for p in pieces) > 65_000:
        raise _ContentError(_("TXT content is too long for one record (about 64 KB at most)"))
    return " ".join(_quote(p) for p in pieces)


def _quoted_strings(text: str) -> list[bytes]:
    tokenizer = dns.tokenizer.Tokenizer(text)
    out: list[bytes] = []
    while True:
        token = tokenizer.get()
        if token.is_eol_or_eof():
            return out
        if not token.is_quoted_string():
            raise dns.exception.SyntaxError(_("%(text)s is outside quotes")
                                            % {"text": typed(token.value)})
        # Escapes (\" \\ \DDD) stand for the bytes they name; they are written back by _quote.
        value = token.unescape_to_bytes().value
        out.append(value.encode("utf-8") if isinstance(value, str) else value)


def _quote(data: bytes) -> str:
    out = []
    for byte in data:
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def _check_meaning(
    origin: dns.name.Name, owner: dns.name.Name | None, rtype: str, rdata: dns.rdata.Rdata
) -> None:
    """Checks dnspython's syntax check does not make."""
    for field_name in ("target", "exchange"):
        target = getattr(rdata, field_name, None)
        if isinstance(target, dns.name.Name):
            _check_target(origin, rtype, target)
    if rtype == "CAA":
        tag = rdata.tag.decode("ascii", "replace").lower()  # type: ignore[attr-defined]
        if tag not in CAA_TAGS:
            raise _ContentError(
                _("CAA tag %(tag)s is unknown: use one of %(tags)s")
                % {"tag": typed(tag), "tags": ", ".join(sorted(CAA_TAGS))}
            )
    if rtype == "SSHFP" and rdata.algorithm not in (1, 2, 3, 4, 6):  # type: ignore[attr-defined]
        raise _ContentError(
            _("SSHFP algorithm must be 1 (RSA), 2 (DSA), 3 (ECDSA), 4 (Ed25519) or 6 (Ed448)")
        )
    if rtype == "TLSA":
        if rdata.usage > 3 or rdata.selector > 1 or rdata.mtype > 2:  # type: ignore[attr-defined]
            raise _ContentError(
                _("TLSA usage must be 0-3, selector 0-1 and matching type 0-2 (RFC 6698)")
            )
        if owner is not None and not _TLSA_OWNER.match(owner.to_text()):
            raise _ContentError(
                _("a TLSA record belongs at _port._protocol.host, such as _443._tcp.www")
            )
    if rtype == "DS" and rdata.digest_type not in (1, 2, 4):  # type: ignore[attr-defined]
        raise _ContentError(_("DS digest type must be 2 (SHA-256), 4 (SHA-384) or 1 (SHA-1)"))
    if rtype == "CNAME" and owner is not None and rdata.target == owner:  # type: ignore[attr-defined]
        raise _ContentError(_("a CNAME cannot point to itself"))


def _check_target(origin: dns.name.Name, rtype: str, target: dns.name.Name) -> None:
    if target == dns.name.root:
        if rtype in ("MX", "SRV", "HTTPS", "SVCB"):
            return  # null MX (RFC 7505), "no service" SRV, "same name" SVCB
        raise _ContentError(_("a %(type)s record cannot point to the root '.'") % {"type": rtype})
    text = target.to_text()
    origin_text = origin.to_text()
    doubled = origin_text.rstrip(".") + "." + origin_text  # "example.org.example.org."
    if text == doubled or text.endswith("." + doubled):
        fixed = target.relativize(origin).to_text()
        raise _ContentError(
            _("target %(target)s repeats the zone name: did you mean %(fixed)s. (with a final "
              "dot)?") % {"target": text, "fixed": fixed}
        )
    if rtype in ("MX", "NS", "SRV", "CNAME"):
        first = text.rstrip(".").split(".")[0]
        bare = text.rstrip(".")
        for candidate in (bare, bare.removesuffix("." + origin_text.rstrip("."))):
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                continue
            raise _ContentError(
                _("a %(type)s record points to a host name, not an address (%(address)s): "
                  "give the name of a host that has A/AAAA records")
                % {"type": rtype, "address": candidate}
            )
        if first == "*" and rtype != "CNAME":
            raise _ContentError(_("a %(type)s target cannot be a wildcard name") % {"type": rtype})


def _origin(zone: str | dns.name.Name) -> dns.name.Name:
    if isinstance(zone, dns.name.Name):
        return zone
    try:
        return zone_name(zone)
    except InvalidName as exc:
        raise ValidationError([Problem("zone", str(exc))]) from exc


# -- a whole zone ---------------------------------------------------------------------------


def validate_zone(
    zone: str | dns.name.Name,
    records: Iterable[Record],
    *,
    nameservers: Sequence[str] = (),
) -> list[ValidRecord]:
    """Check every record and the rules between them; return the canonical records or raise
    ValidationError with ALL problems. `nameservers` are the zone's own (apex) NS hosts, used
    to check that in-zone name servers have addresses."""
    origin = _origin(zone)
    problems: list[Problem] = []
    valid: list[ValidRecord] = []
    source: dict[int, Record] = {}
    for record in records:
        try:
            checked = validate_record(origin, record)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        source[id(checked)] = record
        valid.append(checked)
    problems.extend(_zone_rules(origin, valid, source, nameservers))
    if problems:
        raise ValidationError(problems)
    # Same record twice is harmless: keep one.
    return list({(r.name, r.rtype, r.content): r for r in valid}.values())


def _zone_rules(
    origin: dns.name.Name,
    records: list[ValidRecord],
    source: dict[int, Record],
    nameservers: Sequence[str],
) -> list[Problem]:
    problems: list[Problem] = []

    def fail(record: ValidRecord, field: str, message: str) -> None:
        problems.append(Problem(field, message, source.get(id(record))))

    by_name: dict[dns.name.Name, list[ValidRecord]] = defaultdict(list)
    rrsets: dict[tuple[str, str], list[ValidRecord]] = defaultdict(list)
    for record in records:
        by_name[record.owner].append(record)
        rrsets[record.key()].append(record)

    cnames = {n for n, rs in by_name.items() if any(r.rtype == "CNAME" for r in rs)}
    delegations = {
        n for n, rs in by_name.items() if n != origin and any(r.rtype == "NS" for r in rs)
    }

    for (_owner, rtype), group in rrsets.items():
        ttls = {r.ttl for r in group}
        if len(ttls) > 1:
            fail(
                group[-1],
                "ttl",
                _("the %(type)s records of %(name)s have different TTLs (%(ttls)s): give them "
                  "all the same TTL")
                % {"type": rtype, "name": group[0].name,
                   "ttls": ", ".join(map(str, sorted(ttls)))},
            )
        if rtype == "CNAME" and len({r.content for r in group}) > 1:
            fail(group[-1], "content", _("%(name)s has several CNAMEs: keep only one")
                 % {"name": group[0].name})

    for record in records:
        owner = record.owner
        if record.rtype == "CNAME" and owner == origin:
            fail(
                record,
                "name",
                _("a CNAME is not allowed at the zone apex (it would hide SOA and NS): "
                  "use A/AAAA records, or an HTTPS/SVCB record"),
            )
        elif record.rtype == "CNAME":
            others = sorted({r.rtype for r in by_name[owner] if r.rtype != "CNAME"})
            if others:
                fail(
                    record,
                    "name",
                    _("%(name)s has a CNAME and other data (%(types)s): a CNAME must be alone "
                      "at its name; remove one or the other")
                    % {"name": record.name, "types": ", ".join(others)},
                )
        if record.rtype == "NS" and owner == origin:
            fail(
                record,
                "name",
                _("the zone's own NS records are managed by Bureau; NS records here are for "
                  "delegating a sub-zone such as 'lab'"),
            )
        if record.rtype == "NS" and owner.labels[0] == b"*":
            fail(record, "name", _("a delegation (NS) cannot be at a wildcard name"))
        if record.rtype == "DS" and owner not in delegations:
            fail(
                record,
                "name",
                _("a DS record belongs at a delegated sub-zone: add NS records for %(name)s "
                  "too, or remove the DS") % {"name": record.name},
            )
        target_field = TARGET_TYPES.get(record.rtype)
        if target_field:
            target = getattr(record.rdata(), target_field)
            if target.is_subdomain(origin) and target in cnames:
                fail(
                    record,
                    "content",
                    _("%(type)s target %(target)s is a CNAME, which %(type)s may not point to "
                      "(RFC 2181): point to the host the CNAME names instead")
                    % {"type": record.rtype, "target": target},
                )
        # Data below a delegation is hidden by it, except the glue of that delegation.
        for cut in delegations:
            if owner != cut and owner.is_subdomain(cut):
                glue = record.rtype in ("A", "AAAA") and any(
                    r.rtype == "NS" and r.rdata().target == owner  # type: ignore[attr-defined]
                    for r in by_name[cut]
                )
                if not glue:
                    fail(
                        record,
                        "name",
                        _("%(name)s is below the delegation %(cut)s and would never be "
                          "served: remove it, or only keep A/AAAA glue for %(cut)s's name "
                          "servers") % {"name": record.name, "cut": cut},
                    )

    # In-zone name servers need addresses here (glue), or nobody can reach them.
    hosts = {n for n, rs in by_name.items() if any(r.rtype in ("A", "AAAA") for r in rs)}
    for record in records:
        if record.rtype != "NS":
            continue
        target = record.rdata().target  # type: ignore[attr-defined]
        if target.is_subdomain(record.owner) and target not in hosts:
            fail(
                record,
                "content",
                _("name server %(target)s is inside %(name)s: add its A or AAAA record "
                  "(glue), or use a name server outside the delegated zone")
                % {"target": target, "name": record.name},
            )
    for ns in nameservers:
        target = dns.name.from_text(ns.rstrip(".") + ".")
        if target.is_subdomain(origin) and target not in hosts:
            problems.append(
                Problem(
                    "content",
                    _("the zone's name server %(target)s is in the zone: add its A or AAAA "
                      "record, or it cannot be reached") % {"target": target},
                )
            )
    return problems
