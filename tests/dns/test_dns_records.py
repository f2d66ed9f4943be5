"""Records as DNS people expect: the export is a zone file named-checkzone accepts (SOA
included), CNAME must point at a name, TXT content is kept exactly (quotes, backslashes and
';' inside strings) from the API to what PowerDNS serves and back through export/import, an
RRset API beside the record-by-id one whose bulk changes are atomic, and one record edited in
a 10,000-record zone without validating the whole zone."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dns_fixtures import delv
from programs import require_program
from rest_framework.test import APIClient

from bureau.dns import conf
from bureau.dns.models import Zone, ZoneChange
from bureau.dns.operations.errors import RecordsInvalid
from bureau.dns.operations.records import edit_records
from bureau.dns.operations.zonefiles import export_zone
from bureau.dns.query import answer_rrset, ask
from bureau.dns.records import Record
from bureau.dns.zonefile import parse_zone_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user: Any, member: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def url(zone: Zone, tail: str = "") -> str:
    return f"/api/v1/dns/zones/{str(zone.name).rstrip('.')}/{tail}"


def validator(name: str, pdns: Any, tmp_path: Path) -> Callable[..., str]:
    """delv from the zone's own DS as trust anchor: `validated(qname, rtype)` returns delv's
    answer, asserting it is fully validated."""
    ds = conf.client().ds_records(name)[:1]

    def validated(qname: str, rtype: str = "A") -> str:
        out = delv(pdns, name, ds, qname, rtype, tmp_path).stdout
        assert "fully validated" in out, out
        return out

    return validated


def test_export_is_a_zone_file_named_checkzone_accepts(
        hosted_zone: Callable[..., Any], member: Any, tmp_path: Path) -> None:
    zone = hosted_zone()
    edit_records(zone=zone, actor=member, add=[
        Record("@", "A", "192.0.2.1"), Record("www", "CNAME", "@"),
        Record("@", "MX", "10 mail"), Record("mail", "A", "192.0.2.2"),
        Record("@", "TXT", '"v=spf1 mx -all"'), Record("_dmarc", "TXT", "v=DMARC1; p=none"),
        Record("lab", "NS", "ns1.lab"), Record("ns1.lab", "A", "192.0.2.3")])
    text = export_zone(Zone.objects.get(pk=zone.pk))
    assert "\tSOA\t" in text
    path = tmp_path / "zone.db"
    path.write_text(text)
    check = subprocess.run([require_program("named-checkzone", "bind9-utils"),
                            str(zone.name), str(path)], capture_output=True, text=True,
                           timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr + text
    assert "OK" in check.stdout


@pytest.mark.parametrize("target", ["192.0.2.1", "2001:db8::1"])
def test_cname_to_an_address_is_refused_and_changes_nothing(
        hosted_zone: Callable[..., Any], member: Any, target: str) -> None:
    zone = hosted_zone()
    serial, changes = conf.client().serial(str(zone.name)), ZoneChange.objects.count()
    with pytest.raises(RecordsInvalid, match="not an address"):
        edit_records(zone=zone, actor=member, add=[Record("www", "CNAME", target)])
    assert not zone.records.exists() and ZoneChange.objects.count() == changes
    assert conf.client().serial(str(zone.name)) == serial


TXT_CASES = {
    "semicolon": ("v=DKIM1; k=rsa; p=MIGf", [b"v=DKIM1; k=rsa; p=MIGf"]),
    "quoted-semicolon": ('"a;b" "c ; d"', [b"a;b", b"c ; d"]),
    "escaped-quote": ('"say \\"hi\\"; ok"', [b'say "hi"; ok']),
    "backslash": ('"C:\\\\path"', [b"C:\\path"]),
}


@pytest.mark.parametrize("case", sorted(TXT_CASES))
def test_txt_is_kept_exactly_from_the_api_to_powerdns_and_through_export(
        api: APIClient, hosted_zone: Callable[..., Any], pdns: Any, case: str) -> None:
    content, strings = TXT_CASES[case]
    zone = hosted_zone()
    response = api.post(url(zone, "records/batch/"), {"add": [
        {"name": "t", "type": "TXT", "content": content, "ttl": 300}]}, format="json")
    assert response.status_code == 200, response.content
    owner = "t." + str(zone.name)
    served = answer_rrset(ask("127.0.0.1", owner, "TXT", port=pdns.dns_port), owner, "TXT")
    assert served is not None and list(served[0].strings) == strings
    stored = zone.records.get(name=owner)
    # Export, then import of that export: the same content.
    imported = parse_zone_file(str(zone.name), export_zone(Zone.objects.get(pk=zone.pk)))
    again = [r for r in imported.records if r.name == owner and r.rtype == "TXT"]
    assert [r.content for r in again] == [stored.content]


def test_rrset_api_reads_replaces_and_refuses_atomically(
        api: APIClient, hosted_zone: Callable[..., Any], pdns: Any) -> None:
    zone = hosted_zone()
    put = api.put(url(zone, "rrsets/www/A/"), {"ttl": 600, "records": [
        "192.0.2.10", "192.0.2.11"]}, format="json")
    assert put.status_code == 200, put.content
    got = api.get(url(zone, "rrsets/www/A/")).json()
    assert got["ttl"] == 600 and sorted(got["records"]) == ["192.0.2.10", "192.0.2.11"]
    www = "www." + str(zone.name)
    served = answer_rrset(ask("127.0.0.1", www, "A", port=pdns.dns_port), www, "A")
    assert served is not None and served.ttl == 600 and len(served) == 2

    # Bulk: one good RRset and one bad one → nothing stored, nothing sent, no history.
    serial, changes = conf.client().serial(str(zone.name)), zone.changes.count()
    bad = api.patch(url(zone, "rrsets/"), [
        {"name": "mail", "type": "A", "ttl": 300, "records": ["192.0.2.20"]},
        {"name": "www", "type": "CNAME", "ttl": 300, "records": ["192.0.2.1"]}], format="json")
    assert bad.status_code == 422, bad.content
    assert any(e["field"].startswith("rrsets.1.") for e in bad.json()["errors"])
    assert not zone.records.filter(name="mail." + str(zone.name)).exists()
    assert zone.changes.count() == changes
    assert conf.client().serial(str(zone.name)) == serial

    good = api.patch(url(zone, "rrsets/"), [
        {"name": "mail", "type": "A", "ttl": 300, "records": ["192.0.2.20"]},
        {"name": "www", "type": "A", "ttl": 600, "records": []}], format="json")
    assert good.status_code == 200, good.content
    assert good.json()["published"]
    assert zone.changes.count() == changes + 1  # one change for the whole request
    listed = {(r["name"], r["type"])
              for r in api.get(url(zone, "rrsets/")).json()["results"]}
    assert ("mail." + str(zone.name), "A") in listed and (www, "A") not in listed
    assert api.delete(url(zone, "rrsets/mail/A/")).status_code == 204
    assert api.get(url(zone, "rrsets/mail/A/")).status_code == 404


def test_one_edit_in_a_big_zone_reads_only_its_neighbourhood(
        hosted_zone: Callable[..., Any], member: Any,
        django_assert_max_num_queries: Any) -> None:
    from bureau.dns.operations.common import neighbourhood

    zone = hosted_zone(records=[Record(f"h{i}", "A", f"10.0.{i // 256}.{i % 256}")
                                for i in range(2000)] + [Record("@", "MX", "10 h7")])
    target = zone.records.get(name="h7." + str(zone.name))
    near = neighbourhood(zone, [target], [Record("h7", "CNAME", "h8")])
    # h7 itself, the MX pointing to it: not the 2,000 others.
    assert {(r.name, r.rtype) for r in near} == {(target.name, "A"), (str(zone.name), "MX")}
    # ... and the zone rules still see across records: the MX would point to a CNAME.
    with pytest.raises(RecordsInvalid, match="CNAME"):
        edit_records(zone=zone, actor=member, add=[Record("h7", "CNAME", "h8")],
                     remove=[target])
    started = time.perf_counter()
    edit_records(zone=zone, actor=member, add=[Record("h9", "A", "192.0.2.9")],
                 remove=[zone.records.get(name="h9." + str(zone.name))])
    assert time.perf_counter() - started < 1.0


def test_answers_and_denials_validate_after_every_kind_of_change(
        hosted_zone: Callable[..., Any], member: Any, pdns: Any, tmp_path: Path) -> None:
    """Answers, NXDOMAIN and no-data denials validate after an edit at a new name, at a name
    that stays (a PATCH without PowerDNS's rectify left the replaced rows out of the denial
    chain: found by this test) and after a new delegation (a PATCH, PowerDNS rectifying the
    whole zone)."""
    from bureau.dns.models import Publication

    zone = hosted_zone()
    name = str(zone.name)
    validated = validator(name, pdns, tmp_path)

    first = edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.1")])
    assert not Publication.objects.get(change=first.change).rectify  # a new name: an update
    www = zone.records.get(name="www." + name)
    again = edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.2")],
                         remove=[www])
    assert not Publication.objects.get(change=again.change).rectify  # same name
    assert "192.0.2.2" in validated("www." + name)
    assert "NXDOMAIN" in validated("nothing-here." + name)
    # No data of another type at the edited name: its denial needs the name in the chain.
    assert "negative response" in validated("www." + name, "AAAA")
    assert "negative response" in validated(name, "AAAA")
    lab = edit_records(zone=zone, actor=member, add=[
        Record("lab", "NS", "ns1.lab"), Record("ns1.lab", "A", "192.0.2.3")])
    assert Publication.objects.get(change=lab.change).rectify  # a delegation
    assert "192.0.2.2" in validated("www." + name)
    assert "NXDOMAIN" in validated("zzz." + name)


def test_nsec3_is_offered_with_rfc_9276_parameters(
        api: APIClient, organisation: Any, zone_name: Callable[[], str],
        prove_control: Callable[..., str], pdns: Any, tmp_path: Path) -> None:
    import dns.rdatatype

    name = zone_name()
    prove_control(organisation, name)
    response = api.post("/api/v1/dns/zones/", {"name": name, "nsec3": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["nsec3"]
    try:
        param = answer_rrset(ask("127.0.0.1", name, "NSEC3PARAM", port=pdns.dns_port), name,
                             "NSEC3PARAM")
        assert param is not None and param[0].to_text() == "1 0 0 -"  # no opt-out, no salt
        denial = ask("127.0.0.1", "nothing-here." + name, "A", port=pdns.dns_port,
                     dnssec=True)
        kinds = {rrset.rdtype for rrset in denial.authority}
        assert dns.rdatatype.NSEC3 in kinds and dns.rdatatype.NSEC not in kinds
        out = delv(pdns, name, conf.client().ds_records(name)[:1], "nothing-here." + name, "A",
                   tmp_path).stdout
        assert "negative response, fully validated" in out, out
    finally:
        conf.client().delete_zone(name)


@pytest.mark.parametrize("nsec3", [False, True], ids=["nsec", "nsec3"])
def test_an_edit_at_a_name_that_stays_is_an_update_only_bureau_may_send(
        hosted_zone: Callable[..., Any], member: Any, pdns: Any, tmp_path: Path,
        nsec3: bool) -> None:
    """A change at names that stay reaches PowerDNS as an RFC 2136 update signed with
    Bureau's key (PowerDNS fixes those names' DNSSEC order, not the whole zone's): the new
    value and the denials at that name validate; PowerDNS refuses an unsigned update, or one
    signed with another key, from the same host; a zone that lost its permission (hosted
    before) gets it back at its next change."""
    import dns.exception
    import dns.query
    import dns.rcode
    import dns.tsig
    import dns.tsigkeyring
    import dns.update

    from bureau.dns.publish import UPDATE_KEY

    zone = hosted_zone(nsec3=nsec3)
    name = str(zone.name)
    client = conf.client()
    validated = validator(name, pdns, tmp_path)

    edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.1"),
                                               Record("www", "TXT", "hello")])
    for value in ("192.0.2.2", "192.0.2.3"):
        www = zone.records.get(name="www." + name, rtype="A")
        outcome = edit_records(zone=zone, actor=member, add=[Record("www", "A", value)],
                               remove=[www])
        assert outcome.published
        assert client.get_metadata(name, "TSIG-ALLOW-DNSUPDATE") == [UPDATE_KEY]
        assert value in validated("www." + name)
        assert "negative response" in validated("www." + name, "AAAA")
        assert "NXDOMAIN" in validated("nothing-here." + name)
        # Zones hosted before lack the permission: the next change gives it back.
        client.set_metadata(name, "ALLOW-DNSUPDATE-FROM", [])
        client.set_metadata(name, "TSIG-ALLOW-DNSUPDATE", [])
    assert "hello" in validated("www." + name, "TXT")

    edit_records(zone=zone, actor=member, add=[Record("www", "TXT", "again")],
                 remove=list(zone.records.filter(rtype="TXT")))  # the permission is back
    serial = client.serial(name)
    unsigned = dns.update.UpdateMessage(name)
    unsigned.replace("www", 60, "A", "203.0.113.66")
    assert dns.query.tcp(unsigned, "127.0.0.1", port=pdns.dns_port,
                         timeout=5).rcode() == dns.rcode.REFUSED
    other = dns.tsigkeyring.from_text({UPDATE_KEY: ("hmac-sha256", "c2VjcmV0" * 4)})
    forged = dns.update.UpdateMessage(name, keyring=other, keyname=UPDATE_KEY,
                                      keyalgorithm="hmac-sha256")
    forged.replace("www", 60, "A", "203.0.113.66")
    try:
        refused = dns.query.tcp(forged, "127.0.0.1", port=pdns.dns_port,
                                timeout=5).rcode() != dns.rcode.NOERROR
    except (dns.tsig.PeerError, dns.exception.FormError):  # BADSIG, unsigned
        refused = True
    assert refused
    assert client.serial(name) == serial
    assert "192.0.2.3" in validated("www." + name)


@pytest.mark.parametrize("nsec3", [False, True], ids=["nsec", "nsec3"])
def test_names_that_appear_and_go_keep_the_denial_chain(
        hosted_zone: Callable[..., Any], member: Any, pdns: Any, tmp_path: Path,
        nsec3: bool) -> None:
    """Names added and removed by RFC 2136 updates (PowerDNS fixing only those names and the
    empty non-terminals above them): a deep name makes its parent an empty non-terminal
    (a validated no-data answer, not NXDOMAIN); once the deep name goes, both are NXDOMAIN,
    validated; the other names' answers still validate."""
    from bureau.dns.models import Publication

    zone = hosted_zone(nsec3=nsec3)
    name = str(zone.name)
    validated = validator(name, pdns, tmp_path)

    edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.1")])
    deep = edit_records(zone=zone, actor=member, add=[Record("a.b.c", "A", "192.0.2.5"),
                                                      Record("mail", "A", "192.0.2.6")])
    assert not Publication.objects.get(change=deep.change).rectify
    assert "192.0.2.5" in validated("a.b.c." + name)
    for empty in ("b.c." + name, "c." + name):  # empty non-terminals: no data, not NXDOMAIN
        assert "negative response" in validated(empty) and "NXDOMAIN" not in validated(empty)
    assert "NXDOMAIN" in validated("d.c." + name)
    edit_records(zone=zone, actor=member,
                 remove=list(zone.records.filter(name__in=["a.b.c." + name, "mail." + name])))
    for gone in ("a.b.c." + name, "b.c." + name, "c." + name, "mail." + name):
        assert "NXDOMAIN" in validated(gone)
    assert "192.0.2.1" in validated("www." + name)
    assert "negative response" in validated("www." + name, "AAAA")


def test_every_type_sent_as_an_update_is_served_as_stored(
        hosted_zone: Callable[..., Any], member: Any, pdns: Any) -> None:
    """Each type Bureau takes, added then edited through RFC 2136 updates, is served as
    Bureau stored it: names inside the content stay absolute (a relativized MX target was
    once served with the zone appended), and reading PowerDNS back finds nothing to send."""
    from bureau.dns.models import Publication
    from bureau.dns.sync import plan_sync

    zone = hosted_zone()
    name = str(zone.name)
    first = [
        Record("@", "MX", "10 mail.example.net."), Record("www", "CNAME", "web.example.net."),
        Record("_sip._tcp", "SRV", "0 5 5060 sip.example.net."),
        Record("@", "HTTPS", "1 . alpn=h2"), Record("svc", "SVCB", "1 host.example.net."),
        Record("@", "CAA", '0 issue "letsencrypt.org"'),
        Record("txt", "TXT", '"a;b" "c \\"d\\""'), Record("host", "AAAA", "2001:db8::1"),
        Record("_443._tcp.www", "TLSA", "3 1 1 " + "ab" * 32),
        Record("ssh", "SSHFP", "4 2 " + "cd" * 32), Record("ptr", "PTR", "h.example.net."),
    ]
    second = [
        Record("@", "MX", "20 mx2.example.net."), Record("www", "CNAME", "other.example.net."),
        Record("_sip._tcp", "SRV", "1 5 5061 sip2.example.net."),
        Record("@", "HTTPS", "1 . alpn=h3"), Record("svc", "SVCB", "2 host2.example.net."),
        Record("@", "CAA", '0 issue "example.org"'), Record("txt", "TXT", "v=spf1 -all"),
        Record("host", "AAAA", "2001:db8::2"),
        Record("_443._tcp.www", "TLSA", "3 1 1 " + "ef" * 32),
        Record("ssh", "SSHFP", "4 2 " + "01" * 32), Record("ptr", "PTR", "h2.example.net."),
    ]
    added = edit_records(zone=zone, actor=member, add=first)
    assert not Publication.objects.get(change=added.change).rectify
    edited = edit_records(zone=zone, actor=member, add=second,
                          remove=list(zone.records.all()))
    assert edited.published
    stored = Zone.objects.get(pk=zone.pk).valid_records()
    assert len(stored) == len(second)
    for record in stored:
        rrset = answer_rrset(ask("127.0.0.1", record.name, record.rtype, port=pdns.dns_port),
                             record.name, record.rtype)
        assert rrset is not None, record
        assert {r.to_text() for r in rrset} == {record.rdata().to_text()}, record
    client = conf.client()
    assert plan_sync(name, stored, client.get_zone(name), nameservers=zone.nameservers) == []
