"""Owner names: relative, apex, absolute, IDN (U-label in, A-label out), invalid labels."""

from __future__ import annotations

import pytest

from bureau.dns.names import InvalidName, owner_name, to_unicode, zone_name

# The messages are said in the active language (French by default): these read English.
pytestmark = pytest.mark.usefixtures("english")

ZONE = zone_name("example.org")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@", "example.org."),
        ("", "example.org."),
        ("www", "www.example.org."),
        ("WWW", "www.example.org."),
        ("www.example.org.", "www.example.org."),
        ("www.example.org", "www.example.org."),  # what people type in a form
        ("_dmarc", "_dmarc.example.org."),
        ("_443._tcp.www", "_443._tcp.www.example.org."),
        ("*", "*.example.org."),
        ("*.lab", "*.lab.example.org."),
        ("été", "xn--t-9fab.example.org."),
        ("ÉTÉ", "xn--t-9fab.example.org."),  # UTS 46 maps case
        ("xn--t-9fab", "xn--t-9fab.example.org."),
    ],
)
def test_owner_names_become_absolute_a_labels(typed: str, expected: str) -> None:
    assert owner_name(typed, ZONE).to_text() == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("a..b", "empty label"),
        ("-www", "may not start or end with '-'"),
        ("www-", "may not start or end with '-'"),
        ("w w", "may only contain"),
        ("ab--cd", "reserved for A-labels"),
        ("xn--zz", "not a valid A-label"),
        ("a" * 64, "max 63"),
        ("www.example.com.", "outside the zone example.org."),
        ("a.*", "wildcard"),
        ("☃️", "not a valid internationalised label"),
        (".".join(["abcdefghij"] * 25), "max 253"),
    ],
)
def test_bad_owner_names_are_refused_with_a_reason(typed: str, says: str) -> None:
    with pytest.raises(InvalidName, match=None) as info:
        owner_name(typed, ZONE)
    assert says in str(info.value)


def test_idn_zone_names_and_display() -> None:
    zone = zone_name("Exemple-Été.fr")
    assert zone.to_text() == "xn--exemple-t-i4ab.fr."
    assert to_unicode(zone) == "exemple-été.fr"
    with pytest.raises(InvalidName):
        zone_name("_tcp.example.org")
