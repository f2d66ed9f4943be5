"""Editing through Bureau's operations: one batch → one PATCH served within a second; bad
input stores nothing and never reaches PowerDNS; undo; templates; import/export."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from bureau.dns import conf
from bureau.dns.models import ChangeKind, Template, ZoneChange
from bureau.dns.operations.errors import RecordsInvalid, TemplateInvalid, UndoConflict
from bureau.dns.operations.history import undo
from bureau.dns.operations.records import edit_records
from bureau.dns.operations.templates import apply_template, remove_template
from bureau.dns.operations.zonefiles import export_zone, import_zone_file
from bureau.dns.query import answer_rrset, ask
from bureau.dns.records import Record
from bureau.registrar.operations.errors import NotAllowed

pytestmark = pytest.mark.django_db


def served(pdns: Any, name: str, rtype: str) -> set[str]:
    response = ask("127.0.0.1", name, rtype, port=pdns.dns_port)
    rrset = answer_rrset(response, name, rtype)
    return set() if rrset is None else {r.to_text() for r in rrset}


def pdns_rrsets(zone: Any) -> set[tuple[str, str]]:
    info = conf.client().get_zone(str(zone.name))
    return {(r.name, r.rtype) for r in info.rrsets if r.rtype not in {"SOA", "NS"}}


def test_edit_is_served_within_a_second(hosted_zone: Callable[..., Any], member: Any,
                                        pdns: Any) -> None:
    zone = hosted_zone()
    start = time.monotonic()
    outcome = edit_records(zone=zone, actor=member, add=[
        Record("www", "A", "192.0.2.10", 300), Record("www", "A", "192.0.2.11", 300),
        Record("@", "MX", "10 mail.example.net.", 3600)])
    assert outcome.published
    www = "www." + str(zone.name)
    assert served(pdns, www, "A") == {"192.0.2.10", "192.0.2.11"}
    assert time.monotonic() - start < 1.0
    assert served(pdns, str(zone.name), "MX") == {"10 mail.example.net."}
    change = ZoneChange.objects.get(zone=zone, kind=ChangeKind.EDIT)
    assert len(change.added) == 3 and change.published_serial == outcome.serial


def test_invalid_batch_stores_nothing_and_names_the_record(
        hosted_zone: Callable[..., Any], member: Any) -> None:
    zone = hosted_zone()
    edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.10", 300)])
    before = (zone.records.count(), ZoneChange.objects.filter(zone=zone).count(),
              pdns_rrsets(zone), conf.client().serial(str(zone.name)))
    with pytest.raises(RecordsInvalid) as caught:
        edit_records(zone=zone, actor=member, add=[
            Record("ok", "A", "192.0.2.1", 300),
            Record("www", "CNAME", "elsewhere.example.net.", 300),  # beside the A
            Record("bad", "A", "999.1.1.1", 300),
            Record("txt", "TXT", "x", 5)])
    problems = caught.value.as_list()
    fields = {(p["record"]["name"], p["field"]) for p in problems if p["record"]}
    assert ("bad", "content") in fields and ("txt", "ttl") in fields
    assert any("CNAME" in p["message"] for p in problems)
    after = (zone.records.count(), ZoneChange.objects.filter(zone=zone).count(),
             pdns_rrsets(zone), conf.client().serial(str(zone.name)))
    assert after == before


def test_read_only_member_cannot_edit(hosted_zone: Callable[..., Any], organisation: Any,
                                      user: Any) -> None:
    from django.contrib.auth.models import User

    from bureau.registrar.accounts.models import Membership, Role
    from bureau.registrar.operations.common import Actor

    zone = hosted_zone()
    reader = User.objects.create_user("lecteur", "l@example.org", "x-password-x")
    Membership.objects.create(user=reader, organisation=organisation, role=Role.READ_ONLY)
    with pytest.raises(NotAllowed):
        edit_records(zone=zone, actor=Actor(reader), add=[Record("a", "A", "192.0.2.1")])
    assert zone.records.count() == 0


def test_undo_restores_the_previous_state(hosted_zone: Callable[..., Any], member: Any,
                                          pdns: Any) -> None:
    zone = hosted_zone()
    edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.10", 300)])
    old = zone.records.get(name="www." + str(zone.name))
    edit = edit_records(zone=zone, actor=member, remove=[old],
                        add=[Record("www", "A", "192.0.2.99", 300)])
    assert served(pdns, "www." + str(zone.name), "A") == {"192.0.2.99"}
    assert edit.change is not None
    undone = undo(change=edit.change, actor=member)
    assert undone.change is not None and undone.change.undoes == edit.change
    assert served(pdns, "www." + str(zone.name), "A") == {"192.0.2.10"}
    with pytest.raises(UndoConflict):
        undo(change=edit.change, actor=member)
    # The history only grew.
    kinds = list(ZoneChange.objects.filter(zone=zone).values_list("kind", flat=True))
    assert kinds == ["create", "edit", "edit", "undo"]


def test_undo_refuses_when_a_later_change_touched_the_records(
        hosted_zone: Callable[..., Any], member: Any) -> None:
    zone = hosted_zone()
    first = edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.10", 300)])
    row = zone.records.get()
    edit_records(zone=zone, actor=member, remove=[row])
    assert first.change is not None
    with pytest.raises(UndoConflict, match="changed since"):
        undo(change=first.change, actor=member)


def test_template_apply_and_remove(hosted_zone: Callable[..., Any], member: Any,
                                   pdns: Any) -> None:
    zone = hosted_zone()
    edit_records(zone=zone, actor=member, add=[Record("blog", "A", "192.0.2.7", 300)])
    mail = Template.objects.get(slug="mail-provider")
    dkim = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "x" * 300
    application, outcome = apply_template(zone=zone, actor=member, template=mail, values={
        "mx": "mx.provider.example.", "spf_include": "spf.provider.example",
        "dkim_selector": "s1", "dkim_key": dkim, "dmarc_policy": "reject",
        "dmarc_report": "dmarc@provider.example"})
    assert outcome.published and application.records.count() == 4
    apex = str(zone.name)
    assert served(pdns, apex, "MX") == {"10 mx.provider.example."}
    assert any("v=DKIM1" in t for t in served(pdns, "s1._domainkey." + apex, "TXT"))
    remove_template(application=application, actor=member)
    assert served(pdns, apex, "MX") == set()
    assert served(pdns, "blog." + apex, "A") == {"192.0.2.7"}  # the member's own record stays
    assert list(zone.records.values_list("rtype", flat=True)) == ["A"]


def test_template_needs_its_values_and_a_clash_is_refused(
        hosted_zone: Callable[..., Any], member: Any) -> None:
    zone = hosted_zone()
    web = Template.objects.get(slug="web-host")
    with pytest.raises(TemplateInvalid):
        apply_template(zone=zone, actor=member, template=web, values={"ipv4": ""})
    edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.5", 300)])
    with pytest.raises(RecordsInvalid, match="CNAME"):
        apply_template(zone=zone, actor=member, template=web, values={})
    assert not zone.applications.exists()  # nothing stored for the refused application


def test_import_export_round_trip(hosted_zone: Callable[..., Any], member: Any,
                                  pdns: Any) -> None:
    zone = hosted_zone()
    text = (f"$ORIGIN {zone.name}\n$TTL 600\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1.other.\n"
            "www IN A 192.0.2.1\n@ IN MX 10 mail\nmail IN A 192.0.2.2\n"
            '@ IN TXT "v=spf1 mx -all"\n')
    imported = import_zone_file(zone=zone, actor=member, text=text)
    assert imported.outcome.published
    assert {r.rtype for r in imported.skipped} == {"SOA"}
    assert served(pdns, "mail." + str(zone.name), "A") == {"192.0.2.2"}
    exported = export_zone(zone)
    again = hosted_zone()
    import_zone_file(zone=again, actor=member,
                     text=exported.replace(str(zone.name), str(again.name)))
    assert sorted((r.rtype, r.content.replace(str(again.name), "")) for r in again.records.all()
                  ) == sorted((r.rtype, r.content.replace(str(zone.name), ""))
                              for r in zone.records.all())


def test_import_reports_every_bad_line_and_stores_nothing(
        hosted_zone: Callable[..., Any], member: Any) -> None:
    zone = hosted_zone()
    text = "www IN A 192.0.2.1\nbad IN A 300.0.0.1\nx IN MX mail\n"
    with pytest.raises(RecordsInvalid) as caught:
        import_zone_file(zone=zone, actor=member, text=text)
    assert {p["line"] for p in caught.value.as_list()} == {2, 3}
    assert zone.records.count() == 0


def test_another_organisations_names_cannot_be_hosted(
        hosted_zone: Callable[..., Any], member: Any, organisation: Any,
        register_name: Callable[..., Any]) -> None:
    from bureau.dns.operations.errors import NameClaimed
    from bureau.dns.operations.zones import create_zone
    from bureau.registrar.accounts.models import Membership, Organisation, Role

    zone = hosted_zone()
    domain = register_name(nameservers=["ns.elsewhere.net"])
    other = Organisation.objects.create(name="Autre", slug="autre")
    Membership.objects.create(user=member.user, organisation=other, role=Role.OWNER)
    for name in (f"mail.{zone.name}", str(zone.name).split(".", 1)[1], domain.name):
        with pytest.raises(NameClaimed):
            create_zone(organisation=other, actor=member, name=name)
    # The holder's own organisation may host a sub-zone of its zone.
    sub = create_zone(organisation=organisation, actor=member, name=f"lab.{zone.name}")
    conf.client().delete_zone(str(sub.name))


def test_template_values_with_control_characters_are_refused(
        hosted_zone: Callable[..., Any], member: Any) -> None:
    zone = hosted_zone()
    web = Template.objects.get(slug="web-host")
    with pytest.raises(TemplateInvalid):
        apply_template(zone=zone, actor=member, template=web, values={"ipv4": "192.0.2.1\x00"})
    assert not zone.applications.exists()
