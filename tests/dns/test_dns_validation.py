"""Each validation rule, as a member would hit it in the record editor or an import."""

from __future__ import annotations

import pytest
from django.utils import translation

from bureau.dns.records import Record, to_changes
from bureau.dns.validation import Problem, ValidationError, validate_record, validate_zone

# The messages are said in the active language (French by default): these read English.
pytestmark = pytest.mark.usefixtures("english")

ZONE = "example.org"


def problems(*records: Record, nameservers: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ValidationError) as info:
        validate_zone(ZONE, records, nameservers=nameservers)
    return [str(p) for p in info.value.problems]


def one_problem(*records: Record) -> str:
    found = problems(*records)
    assert len(found) == 1, found
    return found[0]


def test_a_valid_zone_comes_back_canonical() -> None:
    records = validate_zone(
        ZONE,
        [
            Record("www", "a", "192.0.2.1", 300),
            Record("www", "AAAA", "2001:DB8::1", 300),
            Record("@", "MX", "10 mail"),
            Record("mail", "A", "192.0.2.2"),
            Record("_sip._tcp", "SRV", "0 5 5060 sip.example.net."),
            Record("@", "CAA", '0 issue "letsencrypt.org"'),
            Record("@", "HTTPS", '1 . alpn="h2,h3"'),
            Record("svc", "SVCB", "1 svc.example.net. port=8443"),
            Record("_443._tcp.www", "TLSA", "3 1 1 " + "ab" * 32),
            Record("host", "SSHFP", "4 2 " + "cd" * 32),
            Record("7", "PTR", "host.example.net."),
            Record("lab", "NS", "ns1.example.net."),
            Record("lab", "DS", "12345 13 2 " + "ef" * 32),
            Record("boutique-été", "CNAME", "shop.example.net."),
        ],
    )
    got = {(r.name, r.rtype, r.content) for r in records}
    assert ("www.example.org.", "AAAA", "2001:db8::1") in got
    assert ("example.org.", "MX", "10 mail.example.org.") in got
    assert ("xn--boutique-t-j7ab.example.org.", "CNAME", "shop.example.net.") in got
    # One RRset per name/type, ready for one PATCH.
    changes = to_changes(records)
    assert len(changes) == len({(r.name, r.rtype) for r in records})


def test_cname_beside_other_data_is_refused() -> None:
    message = one_problem(Record("www", "CNAME", "web.example.net."), Record("www", "TXT", "x"))
    assert "www.example.org. has a CNAME and other data (TXT)" in message
    assert "remove one or the other" in message


def test_cname_at_apex_is_refused() -> None:
    assert "not allowed at the zone apex" in one_problem(Record("@", "CNAME", "x.example.net."))


def test_two_cnames_at_one_name_are_refused() -> None:
    message = one_problem(
        Record("www", "CNAME", "a.example.net."), Record("www", "CNAME", "b.example.net.")
    )
    assert "several CNAMEs" in message


@pytest.mark.parametrize(
    ("rtype", "content", "owner"),
    [("MX", "10 alias", "@"), ("SRV", "0 0 443 alias", "_x._tcp"), ("NS", "alias", "lab")],
)
def test_targets_pointing_to_an_in_zone_cname_are_refused(
    rtype: str, content: str, owner: str
) -> None:
    message = one_problem(
        Record(owner, rtype, content), Record("alias", "CNAME", "host.example.net.")
    )
    assert f"{rtype} target alias.example.org. is a CNAME" in message


def test_targets_outside_the_zone_are_not_looked_up() -> None:
    validate_zone(ZONE, [Record("@", "MX", "10 mail.example.net.")])


@pytest.mark.parametrize("address", ["1.2.3", "256.1.1.1", "01.2.3.4", "192.0.2.1/24", "x"])
def test_bad_ipv4_is_refused(address: str) -> None:
    message = one_problem(Record("www", "A", address))
    assert "content" in message and "IPv4 address such as 192.0.2.1" in message


@pytest.mark.parametrize("address", ["1::2::3", "2001:db8::g", "12345::"])
def test_bad_ipv6_is_refused(address: str) -> None:
    assert "IPv6 address such as 2001:db8::1" in one_problem(Record("www", "AAAA", address))


def test_address_in_the_wrong_type_says_which_type_to_use() -> None:
    assert "use an AAAA record" in one_problem(Record("www", "A", "2001:db8::1"))
    assert "use an A record" in one_problem(Record("www", "AAAA", "192.0.2.1"))


def test_long_txt_is_split_into_255_byte_strings() -> None:
    key = "v=DKIM1; k=rsa; p=" + "A" * 600
    (record,) = validate_zone(ZONE, [Record("s1._domainkey", "TXT", key)])
    strings = record.rdata().strings  # type: ignore[attr-defined]
    assert [len(s) for s in strings] == [255, 255, 108]
    assert b"".join(strings).decode() == key


def test_unquoted_txt_keeps_its_spaces() -> None:
    (record,) = validate_zone(ZONE, [Record("@", "TXT", "v=spf1 include:_spf.example.net -all")])
    assert record.content == '"v=spf1 include:_spf.example.net -all"'


def test_quoted_txt_strings_are_kept_and_checked() -> None:
    (record,) = validate_zone(ZONE, [Record("@", "TXT", '"a b" "c"')])
    assert record.content == '"a b" "c"'
    assert "close every quote" in one_problem(Record("@", "TXT", '"a" "b'))


def test_out_of_zone_owner_is_refused() -> None:
    message = one_problem(Record("www.example.com.", "A", "192.0.2.1"))
    assert "name: www.example.com. is outside the zone example.org." in message


def test_idn_owner_in_u_label_is_stored_as_a_label() -> None:
    record = validate_record(ZONE, Record("café", "A", "192.0.2.1"))
    assert record.name == "xn--caf-dma.example.org."


def test_invalid_label_is_refused() -> None:
    assert "may only contain letters" in one_problem(Record("w$w", "A", "192.0.2.1"))


def test_delegation_in_zone_name_server_needs_glue() -> None:
    message = one_problem(Record("lab", "NS", "ns1.lab"))
    assert "add its A or AAAA record (glue)" in message
    validate_zone(ZONE, [Record("lab", "NS", "ns1.lab"), Record("ns1.lab", "A", "192.0.2.9")])


def test_data_below_a_delegation_other_than_its_glue_is_refused() -> None:
    message = one_problem(
        Record("lab", "NS", "ns1.example.net."), Record("www.lab", "A", "192.0.2.9")
    )
    assert "below the delegation lab.example.org." in message


def test_zone_name_servers_inside_the_zone_need_addresses() -> None:
    found = problems(Record("www", "A", "192.0.2.1"), nameservers=("ns1.example.org.",))
    assert any("ns1.example.org. is in the zone" in p for p in found)


def test_ds_only_at_a_delegation() -> None:
    assert "belongs at a delegated sub-zone" in one_problem(
        Record("lab", "DS", "12345 13 2 " + "ef" * 32)
    )


def test_apex_ns_is_managed_by_bureau() -> None:
    assert "managed by Bureau" in one_problem(Record("@", "NS", "ns1.example.net."))


@pytest.mark.parametrize("ttl", [0, 59, 604_801, -1])
def test_ttl_bounds(ttl: int) -> None:
    assert "ttl: TTL" in one_problem(Record("www", "A", "192.0.2.1", ttl))


def test_rrset_with_two_ttls_is_refused() -> None:
    message = one_problem(Record("a", "A", "192.0.2.1", 300), Record("a", "A", "192.0.2.2", 600))
    assert "different TTLs (300, 600)" in message


@pytest.mark.parametrize(
    ("rtype", "content", "says"),
    [
        ("SOA", "a b 1 2 3 4 5", "not supported"),
        ("MX", "10 192.0.2.1", "not an address"),
        ("MX", "mail.example.net.", "preference and a host name"),
        ("CNAME", "www.example.org", "did you mean www.example.org. (with a final dot)"),
        ("CAA", '0 foo "x"', "CAA tag 'foo' is unknown"),
        ("TLSA", "3 1 1 abcd", "length inconsistent"),
        ("SSHFP", "9 2 " + "ab" * 32, "SSHFP algorithm"),
        ("DS", "1 13 2 abcd", "digest length"),
        ("NS", ".", "cannot point to the root"),
        ("A", "", "content is empty"),
        ("TXT", "a\nb", "on one line"),
    ],
)
def test_content_errors_say_what_to_fix(rtype: str, content: str, says: str) -> None:
    owner = "lab" if rtype in ("NS", "DS") else "x"
    found = problems(Record(owner, rtype, content))
    assert any(says in p for p in found), found


def test_all_problems_are_reported_at_once() -> None:
    found = problems(
        Record("www", "A", "1.2.3"),
        Record("a..b", "A", "192.0.2.1"),
        Record("@", "CNAME", "x.example.net."),
    )
    assert len(found) == 3


def test_a_refused_record_is_explained_in_the_readers_language() -> None:
    records = (Record("www", "A", "999.1.1.1", 3600, line=1),
               Record("@", "MX", "10 mail.example.org", 3600, line=2))  # no final dot

    def refused(*given: Record) -> list[Problem]:
        with pytest.raises(ValidationError) as info:
            validate_zone(ZONE, given)
        return info.value.problems

    with translation.override("fr"):
        french = refused(*records)
        said = [str(p) for p in french]
        bad_name = [str(p) for p in refused(Record("a..b", "A", "192.0.2.1"))]
    assert said == [
        "ligne 1 : www 3600 A 999.1.1.1 : contenu : « 999.1.1.1 » n’est pas une adresse IPv4 "
        "comme 192.0.2.1",
        "ligne 2 : @ 3600 MX 10 mail.example.org : contenu : la cible "
        "mail.example.org.example.org. répète le nom de la zone : vouliez-vous dire "
        "mail.example.org. (avec un point final) ?",
    ]
    assert bad_name == ["a..b 3600 A 192.0.2.1 : nom : libellé vide (deux points à la suite, "
                        "ou un point au début)"]
    assert [p.field for p in french] == ["content", "content"]  # the key the API and forms use

    with translation.override("en"):
        english = [str(p) for p in refused(*records)]
    assert english == [
        "line 1: www 3600 A 999.1.1.1: content: '999.1.1.1' is not an IPv4 address such as "
        "192.0.2.1",
        "line 2: @ 3600 MX 10 mail.example.org: content: target mail.example.org.example.org. "
        "repeats the zone name: did you mean mail.example.org. (with a final dot)?",
    ]
