"""Every frame the library emits validates against the IETF schemas, and says what we mean."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from bureau.epp import (
    Address,
    BundleCreate,
    Command,
    ContactCheck,
    ContactCreate,
    ContactDelete,
    ContactInfo,
    ContactTransfer,
    ContactUpdate,
    Credit,
    Disclose,
    DomainCheck,
    DomainContact,
    DomainCreate,
    DomainDelete,
    DomainInfo,
    DomainRenew,
    DomainRestore,
    DomainTransfer,
    DomainUpdate,
    DSData,
    Fee,
    FeeCheck,
    FeeCommand,
    FeeOffer,
    Hello,
    HostAttr,
    HostCheck,
    HostCreate,
    HostDelete,
    HostInfo,
    HostUpdate,
    KeyData,
    Login,
    Logout,
    Period,
    Phone,
    PollAck,
    PollRequest,
    PostalInfo,
    RawExtension,
    RestoreReport,
    SchemaError,
    SecDNSData,
    SecDNSUpdate,
    Status,
    namespaces,
)
from bureau.epp.schema import XSD_DIR

from .conftest import schema_validate

NS = {
    "e": namespaces.EPP,
    "domain": namespaces.DOMAIN,
    "host": namespaces.HOST,
    "contact": namespaces.CONTACT,
    "secDNS": namespaces.SECDNS,
    "rgp": namespaces.RGP,
    "fee": namespaces.FEE,
    "b": namespaces.BDN,
}
KEY = "AwEAAddt2AkLfYGKgiEZB5SmIF8EvrjxNMH6HtxWEA4RJ9Ao6LCWheg8"
DS = DSData(12345, 13, 2, "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE" + "0" * 24)
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ME = PostalInfo("int", "Camille Martin", Address("Lyon", "FR", ("1 rue de la Paix",), pc="69001"))

COMMANDS: dict[str, Command] = {
    "hello": Hello(),
    "login": Login(
        client_id="bureau",
        password="s3cret-pw",
        new_password="n3w-secret",
        obj_uris=list(namespaces.OBJECTS),
        ext_uris=list(namespaces.EXTENSIONS),
    ),
    "logout": Logout(),
    "poll-req": PollRequest(),
    "poll-ack": PollAck("12345"),
    "domain-check": DomainCheck(["example.com", "bücher.example"]),
    "domain-check-fee": DomainCheck(
        ["example.com"],
        fee=FeeCheck(
            [
                FeeCommand("create", Period(2), phase="sunrise", subphase="a"),
                FeeCommand("renew"),
                FeeCommand("transfer"),
                FeeCommand("restore"),
                FeeCommand("custom", custom_name="premium-change"),
            ],
            currency="EUR",
        ),
    ),
    "domain-info": DomainInfo("example.com", auth_info="2fooBAR!", hosts="del"),
    "domain-create": DomainCreate(
        "example.com",
        "reg-001",
        [DomainContact("admin", "adm-01"), DomainContact("tech", "tech-01")],
        ["ns1.example.net", "ns2.example.net"],
        "2fooBAR!",
        Period(2),
    ),
    "domain-create-hostattr": DomainCreate(
        "example.org", nameservers=[HostAttr("ns1.example.org", ("192.0.2.1", "2001:db8::1"))]
    ),
    "domain-create-all-extensions": DomainCreate(
        "清华大学.cn",
        "reg-001",
        period=Period(1),
        secdns=SecDNSData(ds_data=(DSData(1, 13, 2, DS.digest, KeyData(257, 3, 13, KEY)),)),
        fee=FeeOffer([Fee(Decimal("25.00"), description="Premium")], currency="EUR"),
        bundle=BundleCreate("清华大学.cn"),
    ),
    "domain-create-keydata": DomainCreate(
        "example.net", secdns=SecDNSData(key_data=(KeyData(257, 3, 13, KEY),), max_sig_life=604800)
    ),
    "domain-renew": DomainRenew("example.com", date(2027, 4, 3), Period(5)),
    "domain-renew-fee": DomainRenew(
        "example.com", date(2027, 4, 3), fee=FeeOffer([Fee(Decimal("10"))], "USD")
    ),
    **{
        f"domain-transfer-{op}": DomainTransfer(op, "example.com", "2fooBAR!")  # type: ignore[arg-type]
        for op in ("query", "approve", "reject", "cancel")
    },
    "domain-transfer-request": DomainTransfer(
        "request",
        "example.com",
        "2fooBAR!",
        Period(1),
        fee=FeeOffer([Fee(Decimal("8"))], credits=[Credit(Decimal("-1"), "promo")]),
    ),
    "domain-update": DomainUpdate(
        "example.com",
        add_nameservers=["ns2.example.com"],
        rem_nameservers=["ns1.example.com"],
        add_contacts=[DomainContact("tech", "tech-02")],
        rem_contacts=[DomainContact("tech", "tech-01")],
        add_statuses=[Status("clientHold", "Payment overdue.", "en")],
        rem_statuses=["clientTransferProhibited"],
        registrant="reg-002",
        auth_info="n3wAuth!",
    ),
    "domain-update-hostattr": DomainUpdate(
        "example.com", add_nameservers=[HostAttr("ns3.example.com", ("192.0.2.9",))]
    ),
    "domain-update-null": DomainUpdate("example.com", registrant="", auth_info=""),
    "domain-update-secdns-add-rem": DomainUpdate(
        "example.com", secdns=SecDNSUpdate(add_ds=(DS,), rem_ds=(DS,), urgent=True)
    ),
    "domain-update-secdns-rem-all-keys": DomainUpdate(
        "example.com", secdns=SecDNSUpdate(rem_all=True, add_keys=(KeyData(257, 3, 13, KEY),))
    ),
    "domain-update-secdns-chg": DomainUpdate("example.com", secdns=SecDNSUpdate(max_sig_life=3600)),
    "domain-restore-request": DomainRestore(
        "example.com", fee=FeeOffer([Fee(Decimal("40.00"))], "EUR")
    ),
    "domain-restore-report": DomainRestore(
        "example.com",
        RestoreReport(
            pre_data="Pre-delete registration data goes here.",
            post_data="Post-restore registration data goes here.",
            deleted=WHEN,
            restored=datetime(2026, 3, 10, 8, 0, tzinfo=UTC),
            reason="Registrant error.",
            other="Supporting information goes here.",
        ),
    ),
    "domain-delete": DomainDelete("example.com"),
    "domain-raw-extension": DomainInfo(
        "example.com",
        extensions=[
            RawExtension(
                etree.fromstring(
                    f'<rgp:update xmlns:rgp="{namespaces.RGP}">'
                    '<rgp:restore op="request"/></rgp:update>'
                )
            )
        ],
    ),
    "host-check": HostCheck(["ns1.example.com", "ns2.bücher.example"]),
    "host-info": HostInfo("ns1.example.com"),
    "host-create": HostCreate(
        "ns1.example.com", ["192.0.2.2", "192.0.2.29", "1080::8:800:200C:417A"]
    ),
    "host-update": HostUpdate(
        "ns1.example.com",
        add_addresses=["192.0.2.22"],
        rem_addresses=["1080::8:800:200C:417A"],
        add_statuses=["clientUpdateProhibited"],
        rem_statuses=[Status("clientDeleteProhibited")],
        new_name="ns2.example.com",
    ),
    "host-delete": HostDelete("ns1.example.com"),
    "contact-check": ContactCheck(["sh8013", "sah8013", "8013sah"]),
    "contact-info": ContactInfo("sh8013", "2fooBAR!"),
    "contact-create": ContactCreate(
        "sh8013",
        [
            PostalInfo(
                "int",
                "John Doe",
                Address("Dulles", "US", ("123 Example Dr.", "Suite 100"), "VA", "20166-6503"),
                org="Example Inc.",
            ),
            PostalInfo("loc", "Jöhn Dœ", Address("Düsseldorf", "DE")),
        ],
        "jdoe@example.com",
        voice=Phone("+1.7035555555", "1234"),
        fax=Phone("+1.7035555556"),
        auth_info="2fooBAR!",
        disclose=Disclose(False, frozenset({"voice", "email", "name:int", "addr:loc"})),
    ),
    "contact-update": ContactUpdate(
        "sh8013",
        add_statuses=["clientDeleteProhibited"],
        rem_statuses=["clientTransferProhibited"],
        postal_info=[PostalInfo("int", None, None, org="New Org")],
        voice=Phone("+1.7034444444"),
        email="new@example.com",
        auth_info="2fooBAR!",
        disclose=Disclose(True, frozenset({"voice", "email"})),
    ),
    "contact-delete": ContactDelete("sh8013"),
    **{
        f"contact-transfer-{op}": ContactTransfer(op, "sh8013", "2fooBAR!")  # type: ignore[arg-type]
        for op in ("query", "request", "approve", "reject", "cancel")
    },
}


# SHA-256 of the official schemas (the RFCs' XSDs, as the IETF and the extension authors publish
# them): the package must ship them unchanged, since a frame Bureau sends is checked against them.
OFFICIAL_SCHEMAS = {
    "b-dn-1.0.xsd": "df2800ddae9dc8fa4fd9dbb773b1174e3271f4d91cbd651dfc98c5208ccc3ed1",
    "changePoll-1.0.xsd": "e383bed2ebcc74edfd14ab5d6e62b78e8254d097642b70085c8588c54fd96a5c",
    "contact-1.0.xsd": "b5150798ab4f256b2cb3d166536f449df451a04916b933eed32f70e1cd872c60",
    "domain-1.0.xsd": "f6d7d3577bed400a1088532f3dc029edf3aae6f9ba9a23fd53867645e29f25ad",
    "epp-1.0.xsd": "0a3afa316bf3c5ed36c54c2361db6cf90b0a9ab4343e5f9c999927d46c38285d",
    "eppcom-1.0.xsd": "e7f67075636cf2d11a509ab6150dbd94be80368318680313b3bc37634f06ac56",
    "fee-1.0.xsd": "69e32b5113a7656578f3ec101b395e5caa09bb79b12ffe6a2747cc0f4b3018e8",
    "host-1.0.xsd": "368e01b980dd0e2f9be4533390816c46168545401fb73d8e259d5343cf647da8",
    "loginSec-1.0.xsd": "bf76ee40be986a4c93fa92a6842520e32614fefc6c8351ab8bf63fcd779b0302",
    "rgp-1.0.xsd": "5a5945192d43f67c64d836d058da66c5354ee54e3e20b01ba7edcd0deb1206ad",
    "secDNS-1.1.xsd": "73ffa00221547c2f0a973494931c195c27cacd7be9faded526ba7b70513f47b9",
}


def test_package_schemas_are_the_official_ones_unchanged() -> None:
    shipped = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in XSD_DIR.glob("*.xsd")}
    assert shipped == OFFICIAL_SCHEMAS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_validates_against_the_schemas(name: str) -> None:
    frame = COMMANDS[name].to_xml("BUR-TEST-0001")
    schema_validate(frame)


def test_the_validator_rejects_what_it_should() -> None:
    frame = DomainCreate("example.com").to_xml("X-1").replace(b'unit="y"', b'unit="w"')
    with pytest.raises(SchemaError):
        schema_validate(frame)


def _tree(command: Command) -> etree._Element:
    return etree.fromstring(command.to_xml("BUR-1"))


def test_idn_names_go_on_the_wire_as_a_labels() -> None:
    tree = _tree(COMMANDS["domain-check"])
    assert tree.xpath("//domain:name/text()", namespaces=NS) == [
        "example.com",
        "xn--bcher-kva.example",
    ]
    bundle = _tree(COMMANDS["domain-create-all-extensions"])
    rdn = bundle.xpath("//b:rdn", namespaces=NS)[0]
    assert (rdn.text, rdn.get("uLabel")) == ("xn--xkry9kk1bz66a.cn", "清华大学.cn")


def test_cltrid_is_sent_and_hello_has_none() -> None:
    assert _tree(DomainDelete("example.com")).xpath("//e:clTRID/text()", namespaces=NS) == ["BUR-1"]
    assert b"clTRID" not in Hello().to_xml("BUR-1")


def test_renew_names_the_current_expiry_date_and_period() -> None:
    tree = _tree(COMMANDS["domain-renew"])
    assert tree.xpath("//domain:curExpDate/text()", namespaces=NS) == ["2027-04-03"]
    assert tree.xpath("//domain:period/@unit", namespaces=NS) == ["y"]
    assert tree.xpath("//domain:period/text()", namespaces=NS) == ["5"]


def test_hostattr_addresses_carry_their_ip_version() -> None:
    tree = _tree(COMMANDS["domain-create-hostattr"])
    addrs = tree.xpath("//domain:hostAddr", namespaces=NS)
    assert [(a.get("ip"), a.text) for a in addrs] == [("v4", "192.0.2.1"), ("v6", "2001:db8::1")]


def test_update_nulls_registrant_and_auth_info_when_asked() -> None:
    tree = _tree(COMMANDS["domain-update-null"])
    assert tree.xpath("//domain:chg/domain:registrant/text()", namespaces=NS) == []
    assert len(tree.xpath("//domain:chg/domain:registrant", namespaces=NS)) == 1
    assert len(tree.xpath("//domain:chg/domain:authInfo/domain:null", namespaces=NS)) == 1


def test_restore_is_an_update_with_empty_chg_and_fee_update() -> None:
    tree = _tree(COMMANDS["domain-restore-request"])
    assert len(tree.xpath("//domain:update/domain:chg", namespaces=NS)) == 1
    assert tree.xpath("//rgp:restore/@op", namespaces=NS) == ["request"]
    assert tree.xpath("//fee:update/fee:fee/text()", namespaces=NS) == ["40.00"]
    report = _tree(COMMANDS["domain-restore-report"])
    assert report.xpath("//rgp:delTime/text()", namespaces=NS) == ["2026-03-01T12:00:00Z"]
    assert len(report.xpath("//rgp:statement", namespaces=NS)) == 2


def test_fee_offer_element_is_named_after_the_command() -> None:
    assert _tree(COMMANDS["domain-renew-fee"]).xpath(
        "//fee:renew/fee:currency/text()", namespaces=NS
    ) == ["USD"]
    assert _tree(COMMANDS["domain-transfer-request"]).xpath(
        "//fee:transfer/fee:credit/text()", namespaces=NS
    ) == ["-1"]
    with pytest.raises(ValueError, match="fee offers ride on"):
        DomainDelete("example.com", extensions=[FeeOffer([Fee(Decimal(1))])]).to_xml("X")


def test_secdns_rem_all_and_urgent() -> None:
    tree = _tree(COMMANDS["domain-update-secdns-rem-all-keys"])
    assert tree.xpath("//secDNS:rem/secDNS:all/text()", namespaces=NS) == ["true"]
    assert len(tree.xpath("//secDNS:add/secDNS:keyData", namespaces=NS)) == 1
    assert _tree(COMMANDS["domain-update-secdns-add-rem"]).xpath(
        "//secDNS:update/@urgent", namespaces=NS
    ) == ["true"]


def test_contact_disclose_and_phone_extension() -> None:
    tree = _tree(COMMANDS["contact-create"])
    disclose = tree.xpath("//contact:disclose", namespaces=NS)[0]
    assert disclose.get("flag") == "0"
    assert [
        etree.QName(c).localname + (":" + c.get("type") if c.get("type") else "") for c in disclose
    ] == ["name:int", "addr:loc", "voice", "email"]
    assert tree.xpath("//contact:voice/@x", namespaces=NS) == ["1234"]
    assert tree.xpath("//contact:postalInfo/@type", namespaces=NS) == ["int", "loc"]


def test_login_offers_new_password_and_never_prints_passwords() -> None:
    login = COMMANDS["login"]
    tree = _tree(login)
    assert tree.xpath("//e:newPW/text()", namespaces=NS) == ["n3w-secret"]
    assert "s3cret" not in repr(login)


def test_create_without_auth_info_gets_a_random_one() -> None:
    one, two = DomainCreate("example.com"), DomainCreate("example.com")
    assert one.auth_info != two.auth_info and len(one.auth_info) == 16
    assert hashlib.sha256(one.to_xml("X")).digest()  # and the frame builds


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Period(0), "1 to 99"),
        (lambda: Period(1, "w"), "'y' .years. or 'm'"),  # type: ignore[arg-type]
        (lambda: FeeCheck(currency="eur"), "ISO 4217"),
        (lambda: DomainTransfer("steal", "example.com"), "transfer op"),  # type: ignore[arg-type]
        (lambda: DomainTransfer("query", "example.com", period=Period(1)), "only given"),
        (lambda: DomainContact("owner", "abc"), "admin, tech or billing"),  # type: ignore[arg-type]
        (lambda: DomainContact("admin", "x"), "3 to 16"),
        (lambda: HostAttr("ns1.example.com", ("999.1.1.1",)), "999.1.1.1"),
        (lambda: HostAttr("ns1.example.com", ("::",)), "cannot be a name server"),
        (lambda: HostCreate("ns1.example.com", ["224.0.0.1"]).to_xml("X"), "cannot be a name"),
        (lambda: SecDNSData(), "at least one"),
        (lambda: SecDNSUpdate(rem_all=True, rem_ds=(DS,)), "rem_all"),
        (lambda: DSData(1, 13, 2, "zz"), "not hexadecimal"),
        (lambda: KeyData(257, 3, 13, "not base64!"), "not base64"),
        (lambda: Phone("0123456789"), r"\+CC\.NUMBER"),
        (lambda: PostalInfo("int", "Jöhn", Address("Paris", "FR")), "use type 'loc'"),
        (lambda: Disclose(True, frozenset({"shoe-size"})), "shoe-size"),
        (lambda: Fee(Decimal("-1")), "Credit"),
        (lambda: Login(client_id="a", password="short", obj_uris=["x"]), "at least 6"),
        (lambda: DomainRenew("example.com", datetime(2027, 1, 1)), "not a datetime"),
        (lambda: DomainCheck("example.com"), "list of names"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_refused_with_a_clear_message(build: object, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        build()  # type: ignore[operator]


def test_mixing_hostobj_and_hostattr_is_refused() -> None:
    with pytest.raises(ValueError, match="not a mix"):
        DomainCreate(
            "example.com", nameservers=["ns1.example.com", HostAttr("ns2.example.com")]
        ).to_xml("X")
