"""Zone-file import (all problems with line numbers) and export (round trip)."""

from __future__ import annotations

import pytest

from bureau.dns.records import Record
from bureau.dns.validation import ValidationError, validate_zone
from bureau.dns.zonefile import export_zone_file, parse_zone_file

# The messages are said in the active language (French by default): these read English.
pytestmark = pytest.mark.usefixtures("english")

GOOD = """\
$ORIGIN example.org.
$TTL 1h
@   IN SOA ns1.example.net. hostmaster ( 2024010101 ; serial
        3600 900 604800 300 )
    IN NS ns1.example.net.
    IN NS ns2.example.net.
    IN MX 10 mail
mail 300 IN A 192.0.2.1
         IN AAAA 2001:db8::1 ; same owner as the line above
été  IN TXT "bonjour ; ceci n'est pas un commentaire"
$ORIGIN lab.example.org.
www  IN CNAME web.example.net.
"""

BAD = """\
$ORIGIN example.org.
www IN A 192.0.2.300
ok  IN A 192.0.2.1
alias IN CNAME www.example.net.
alias IN TXT "beside a CNAME"
$INCLUDE other.zone
old IN WKS 192.0.2.1 6 25
outside.example.com. IN A 192.0.2.2
"""


def test_import_keeps_records_and_sets_aside_managed_ones() -> None:
    result = parse_zone_file("example.org", GOOD)
    got = {(r.name, r.rtype, r.content, r.ttl) for r in result.records}
    assert got == {
        ("example.org.", "MX", "10 mail.example.org.", 3600),
        ("mail.example.org.", "A", "192.0.2.1", 300),
        ("mail.example.org.", "AAAA", "2001:db8::1", 3600),
        ("xn--t-9fab.example.org.", "TXT", '"bonjour ; ceci n\'est pas un commentaire"', 3600),
        ("www.lab.example.org.", "CNAME", "web.example.net.", 3600),
    }
    assert result.apex_ns == ["ns1.example.net.", "ns2.example.net."]
    assert [r.rtype for r in result.skipped] == ["SOA"]
    assert {r.line for r in result.records} == {7, 8, 9, 10, 12}


def test_import_reports_every_problem_with_its_line() -> None:
    with pytest.raises(ValidationError) as info:
        parse_zone_file("example.org", BAD)
    by_line = {p.line or 0: str(p) for p in info.value.problems}
    assert sorted(by_line) == [2, 4, 6, 7, 8]
    assert "cannot parse" in by_line[2]
    assert "a CNAME must be alone" in by_line[4]
    assert "$INCLUDE is not supported" in by_line[6]
    assert "type 'WKS' is not supported" in by_line[7]
    assert "outside the zone" in by_line[8]
    assert all(text.startswith(f"line {line}:") for line, text in by_line.items())


def test_unclosed_parenthesis_is_reported() -> None:
    with pytest.raises(ValidationError, match="never closed"):
        parse_zone_file("example.org", "www IN A ( 192.0.2.1\n")


def test_export_then_import_gives_the_same_records() -> None:
    records = validate_zone(
        "example.org",
        [
            Record("@", "MX", "10 mail"),
            Record("mail", "A", "192.0.2.1", 300),
            Record("s1._domainkey", "TXT", "p=" + "B" * 400),
            Record("@", "CAA", '0 issue "letsencrypt.org"'),
            Record("café", "AAAA", "2001:db8::2"),
        ],
    )
    text = export_zone_file("example.org", records, nameservers=["ns1.example.net"])
    assert text.startswith("$ORIGIN example.org.\n$TTL 3600\n@\t3600\tIN\tNS\tns1.example.net.\n")
    again = parse_zone_file("example.org", text)
    assert sorted(again.records, key=str) == sorted(records, key=str)
