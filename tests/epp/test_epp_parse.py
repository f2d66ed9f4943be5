"""RFC example responses parse into the typed objects callers rely on."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree

from bureau.epp import (
    BundleData,
    BundledName,
    CaseId,
    ChangeData,
    ContactInfoData,
    DomainCheckData,
    DomainCreateData,
    DomainInfoData,
    DomainRenewData,
    FeeCheckData,
    FeeTransformData,
    FrameError,
    Greeting,
    HostAttr,
    HostInfoData,
    PendingActionData,
    PollMessage,
    RgpStatusData,
    SecDNSData,
    Status,
    TransferData,
    parse_frame,
    parse_response,
)

from . import samples
from .conftest import schema_validate


@pytest.mark.parametrize("name", sorted(samples.ALL))
def test_samples_are_valid_epp(name: str) -> None:
    """The fixtures themselves follow the schemas (minus the deliberately unknown extension)."""
    root = etree.fromstring(samples.ALL[name])
    for foreign in root.iter("{urn:example:acme-1.0}trademark"):
        foreign.getparent().remove(foreign)
    schema_validate(etree.tostring(root))


def test_greeting() -> None:
    greeting = parse_frame(samples.GREETING)
    assert isinstance(greeting, Greeting)
    assert greeting.server_id == "Example EPP server epp.example.com"
    assert greeting.server_date == datetime(2000, 6, 8, 22, tzinfo=UTC)
    assert greeting.languages == ("en", "fr")
    assert "urn:ietf:params:xml:ns:domain-1.0" in greeting.obj_uris
    assert greeting.ext_uris == ("http://custom/obj1ext-1.0", "urn:ietf:params:xml:ns:secDNS-1.1")
    assert greeting.dcp_access == "all"


def test_domain_check() -> None:
    response = parse_response(samples.DOMAIN_CHECK)
    assert response.ok and response.code == 1000
    assert (response.cltrid, response.svtrid) == ("ABC-12345", "54322-XYZ")
    data = response.data
    assert isinstance(data, DomainCheckData)
    assert [(r.name, r.available, r.reason) for r in data.results] == [
        ("example.com", True, None),
        ("example.net", False, "In use"),
        ("xn--bcher-kva.example", True, None),
    ]
    assert data["bücher.example"].available  # looked up by U-label too


def test_domain_info_with_hostattr_authinfo_and_extensions() -> None:
    response = parse_response(samples.DOMAIN_INFO)
    info = response.data
    assert isinstance(info, DomainInfoData)
    assert info.name == "example.com" and info.roid == "EXAMPLE1-REP"
    assert info.statuses == (Status("ok"), Status("clientHold", "Impayé", "fr"))
    assert info.status_values == {"ok", "clientHold"}
    assert info.registrant == "jd1234"
    assert [(c.type, c.id) for c in info.contacts] == [("admin", "sh8013"), ("tech", "sh8013")]
    assert info.nameservers == (
        HostAttr("ns1.example.com", ("192.0.2.2", "1080::8:800:200C:417A")),
        HostAttr("ns2.example.net"),
    )
    assert info.hosts == ("ns1.example.com", "ns2.example.com")
    assert (info.sponsor, info.creator, info.updater) == ("ClientX", "ClientY", "ClientX")
    assert info.expires == datetime(2005, 4, 3, 22, tzinfo=UTC)
    assert info.transferred == datetime(2000, 4, 8, 9, tzinfo=UTC)
    assert info.auth_info == "2fooBAR"
    secdns = response.extension(SecDNSData)
    assert secdns.max_sig_life == 604800
    assert [(d.key_tag, d.alg, d.digest_type) for d in secdns.ds_data] == [(12345, 3, 1)]
    assert response.extension(RgpStatusData).in_redemption
    bundle = response.extension(BundleData)
    assert bundle.rdn == BundledName("xn--fsq270a.example", "实例.example")
    assert bundle.bdns == (BundledName("xn--fsqz41a.example", "實例.example"),)
    assert bundle.names == ("xn--fsq270a.example", "xn--fsqz41a.example")


def test_unknown_extensions_are_kept_raw() -> None:
    response = parse_response(samples.DOMAIN_INFO)
    (unknown,) = response.unknown_extensions
    assert etree.QName(unknown).namespace == "urn:example:acme-1.0"
    assert unknown.findtext("{urn:example:acme-1.0}mark") == "ACME"
    assert len(response.extensions) == 3  # the known ones still parsed


def test_domain_create_with_fee_and_bundle() -> None:
    response = parse_response(samples.DOMAIN_CREATE)
    assert response.data == DomainCreateData(
        "xn--fsq270a.example",
        datetime(1999, 4, 3, 22, tzinfo=UTC),
        datetime(2001, 4, 3, 22, tzinfo=UTC),
    )
    fee = response.extension(FeeTransformData)
    assert fee.response == "creData" and fee.currency == "USD"
    assert fee.total == Decimal("5.00") and fee.balance == Decimal("-5.00")
    assert fee.credit_limit == Decimal("1000.00")
    assert fee.fees[0].refundable is True and fee.fees[0].grace_period == "P5D"
    assert response.extension(BundleData).response == "creData"


def test_domain_renew_and_transfer() -> None:
    assert parse_response(samples.DOMAIN_RENEW).data == DomainRenewData(
        "example.com", datetime(2005, 4, 3, 22, tzinfo=UTC)
    )
    transfer = parse_response(samples.DOMAIN_TRANSFER)
    assert transfer.code == 1001
    assert transfer.data == TransferData(
        name="example.com",
        status="pending",
        requested_by="ClientX",
        requested_at=datetime(2000, 6, 8, 22, tzinfo=UTC),
        action_by="ClientY",
        action_due=datetime(2000, 6, 13, 22, tzinfo=UTC),
        expires=datetime(2002, 9, 8, 22, tzinfo=UTC),
    )


def test_fee_check_classes_premium_and_reasons() -> None:
    response = parse_response(samples.FEE_CHECK)
    fees = response.extension(FeeCheckData)
    assert fees.currency == "USD"
    standard = fees.for_name("example.com")
    assert standard.fee_class == "standard" and not standard.premium
    create = standard.quote("create")
    assert create.period is not None and create.period.value == 2
    assert create.standard and create.total == Decimal("10.00")
    assert standard.quote("restore").total == Decimal("10.00")  # redemption + renewal
    premium = fees.for_name("premium.example")
    assert premium.premium
    assert premium.quote("create").phase == "sunrise"
    assert premium.quote("create").total == Decimal("90.00")  # credit included
    taken = fees.for_name("taken.example")
    assert not taken.available and taken.reason == "Only sunrise applications accepted"


def test_poll_with_change_poll() -> None:
    response = parse_response(samples.POLL_CHANGE)
    message = PollMessage.from_response(response)
    assert message is not None
    assert (message.id, message.count) == ("201", 1)
    assert message.queued == datetime(2013, 10, 22, 14, 25, 57, tzinfo=UTC)
    assert message.message == "Registry initiated update of domain."
    assert isinstance(message.data, DomainInfoData) and message.data.name == "domain.example"
    assert message.change == ChangeData(
        operation="custom",
        custom_op="lock",
        date=datetime(2013, 10, 22, 14, 25, 57, tzinfo=UTC),
        svtrid="12345-XYZ",
        who="URS Admin",
        state="before",
        case_id=CaseId("urs123", "urs"),
        reason="URS Lock",
    )


def test_poll_transfer_pending_action_and_empty_queue() -> None:
    transfer = PollMessage.from_response(parse_response(samples.POLL_TRANSFER))
    assert transfer is not None and transfer.count == 5
    assert isinstance(transfer.data, TransferData) and transfer.change is None
    pending = PollMessage.from_response(parse_response(samples.POLL_PENDING))
    assert pending is not None
    assert pending.data == PendingActionData(
        "example.com", True, "ABC-12345", "54321-XYZ", datetime(2000, 6, 8, 22, tzinfo=UTC)
    )
    empty = parse_response(samples.POLL_EMPTY)
    assert empty.ok and empty.msgq is None
    assert PollMessage.from_response(empty) is None


def test_error_with_ext_value_reason() -> None:
    response = parse_response(samples.ERROR_EXTVALUE)
    assert not response.ok and response.code == 2004
    assert response.message == "Parameter value range error"
    assert response.reason == "Maximum registration period is 10 years."
    (result,) = response.results
    assert "example.com" in result.ext_values[0].value
    assert "15" in result.values[0]


def test_contact_info() -> None:
    info = parse_response(samples.CONTACT_INFO).data
    assert isinstance(info, ContactInfoData)
    assert info.id == "sh8013" and info.email == "jdoe@example.com"
    postal = info.postal("int")
    assert postal is not None and postal.addr is not None
    assert postal.name == "John Doe" and postal.org == "Example Inc."
    assert postal.addr.street == ("123 Example Dr.", "Suite 100")
    assert (postal.addr.city, postal.addr.sp, postal.addr.pc, postal.addr.cc) == (
        "Dulles",
        "VA",
        "20166-6503",
        "US",
    )
    assert info.voice is not None and (info.voice.number, info.voice.ext) == (
        "+1.7035555555",
        "1234",
    )
    assert info.disclose is not None and not info.disclose.flag
    assert info.disclose.fields == {"voice", "email"}
    assert info.auth_info == "2fooBAR"


def test_host_info() -> None:
    info = parse_response(samples.HOST_INFO).data
    assert isinstance(info, HostInfoData)
    assert info.addresses == ("192.0.2.2", "192.0.2.29", "1080::8:800:200C:417A")
    assert {s.value for s in info.statuses} == {"linked", "clientUpdateProhibited"}


def test_restore_update_reports_rgp_status_and_fee() -> None:
    response = parse_response(samples.RESTORE_UPDATE)
    assert response.data is None
    assert response.extension(RgpStatusData) == RgpStatusData(("pendingRestore",), "upData")
    fee = response.extension(FeeTransformData)
    assert fee.response == "updData" and fee.balance == Decimal("960.00")


def test_bundle_in_delete_response() -> None:
    bundle = parse_response(samples.BUNDLE_DELETE).extension(BundleData)
    assert bundle.response == "delData"
    assert [n.display for n in (bundle.rdn, *bundle.bdns)] == ["实例.example", "實例.example"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml", "not well-formed"),
        (b'<epp xmlns="urn:other"><response/></epp>', "not an EPP frame"),
        (samples.frame("<response><trID><svTRID>x</svTRID></trID></response>"), "without any"),
        (samples.DOMAIN_CHECK.replace(b'code="1000"', b'code="10"'), "4-digit"),
        (samples.DOMAIN_RENEW.replace(b"2005-04-03T22:00:00.0Z", b"tomorrow"), "dateTime"),
    ],
)
def test_malformed_responses_raise_frame_error(data: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        parse_response(data)


def test_entities_are_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + samples.DOMAIN_CHECK.split(b"?>", 1)[1].replace(b"In use", b"&b;")
    )
    try:
        response = parse_response(bomb)
    except FrameError:
        return  # refusing is fine too
    assert "aaaaaaaaaa" not in (response.data.results[1].reason or "")


def test_values_our_types_refuse_become_frame_errors() -> None:
    bad = samples.CONTACT_INFO.replace(b"<contact:voice/>", b"<contact:shoe/>")
    with pytest.raises(FrameError, match="bad <infData>"):
        parse_response(bad)


def test_fee_results_are_found_by_u_label() -> None:
    data = samples.FEE_CHECK.replace(b"example.com", b"xn--bcher-kva.example")
    fees = parse_response(data).extension(FeeCheckData)
    assert fees.for_name("Bücher.example") is not None


def test_fee_check_unavailable_with_a_period_out_of_range_is_read() -> None:
    """A registry that says avail="0" but still writes the period it cannot sell (as one did:
    `<fee:period unit="y">0</fee:period>`) is read for its reason, not refused as unreadable;
    an available quote with such a period stays an error."""
    unsold = samples.FEE_CHECK.replace(
        b'<fee:cd avail="0"><fee:objID>taken.example</fee:objID>',
        b'<fee:cd avail="0"><fee:objID>taken.example</fee:objID><fee:command name="create">'
        b'<fee:period unit="y">0</fee:period></fee:command>')
    taken = parse_response(unsold).extension(FeeCheckData).for_name("taken.example")
    assert not taken.available and taken.reason == "Only sunrise applications accepted"
    assert taken.quote("create").period is None
    broken = samples.FEE_CHECK.replace(b'<fee:period unit="y">2</fee:period>',
                                       b'<fee:period unit="y">0</fee:period>')
    with pytest.raises(FrameError, match="fee period"):
        parse_response(broken)
