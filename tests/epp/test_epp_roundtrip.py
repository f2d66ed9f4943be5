"""Property tests: any command we can build is valid EPP and carries exactly what was asked."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bureau.epp import (
    DomainCheck,
    DomainCheckData,
    DomainContact,
    DomainCreate,
    DomainUpdate,
    DSData,
    Fee,
    FeeOffer,
    HostAttr,
    Period,
    SecDNSData,
    SecDNSUpdate,
    namespaces,
    parse_response,
    to_alabel,
)

from .conftest import schema_validate
from .samples import OK, TR, D, frame

label = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789üéß清华"), min_size=1, max_size=10
)
names = st.builds(lambda a, b: f"{a}.{b}", label, st.sampled_from(["example", "fr", "cn"]))
ids = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=3, max_size=16)
ipv4 = st.ip_addresses(v=4).filter(lambda ip: not (ip.is_unspecified or ip.is_multicast)).map(str)
ipv6 = st.ip_addresses(v=6).filter(lambda ip: not (ip.is_unspecified or ip.is_multicast)).map(str)
ds = st.builds(
    DSData,
    st.integers(0, 65535),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(min_size=20, max_size=48).map(bytes.hex),
)
NS = {"domain": namespaces.DOMAIN, "secDNS": namespaces.SECDNS, "fee": namespaces.FEE}


@settings(max_examples=60, deadline=None)
@given(
    name=names,
    registrant=st.none() | ids,
    contacts=st.lists(
        st.builds(DomainContact, st.sampled_from(["admin", "tech", "billing"]), ids), max_size=4
    ),
    host_objs=st.lists(names, max_size=4, unique=True),
    host_attrs=st.lists(
        st.builds(HostAttr, names, st.lists(ipv4 | ipv6, max_size=3).map(tuple)), max_size=3
    ),
    use_attrs=st.booleans(),
    period=st.builds(Period, st.integers(1, 10), st.sampled_from(["y", "m"])),
    secdns=st.none()
    | st.lists(ds, min_size=1, max_size=3).map(lambda d: SecDNSData(ds_data=tuple(d))),
    price=st.none() | st.decimals(min_value=0, max_value=10000, places=2),
)
def test_domain_create_is_always_valid_and_faithful(
    name: str,
    registrant: str | None,
    contacts: list[DomainContact],
    host_objs: list[str],
    host_attrs: list[HostAttr],
    use_attrs: bool,
    period: Period,
    secdns: SecDNSData | None,
    price: Decimal | None,
) -> None:
    command = DomainCreate(
        name,
        registrant,
        contacts,
        host_attrs if use_attrs else host_objs,
        period=period,
        secdns=secdns,
        fee=FeeOffer([Fee(price)], "EUR") if price is not None else None,
    )
    data = command.to_xml("BUR-PROP")
    schema_validate(data)
    tree = etree.fromstring(data)
    assert tree.xpath("//domain:name/text()", namespaces=NS) == [to_alabel(name)]
    assert tree.xpath("//domain:pw/text()", namespaces=NS) == [command.auth_info]
    assert tree.xpath("//domain:contact/text()", namespaces=NS) == [c.id for c in contacts]
    if use_attrs:
        assert len(tree.xpath("//domain:hostAttr", namespaces=NS)) == len(host_attrs)
    else:
        assert tree.xpath("//domain:hostObj/text()", namespaces=NS) == [
            to_alabel(h) for h in host_objs
        ]
    if secdns is not None:
        assert [int(t) for t in tree.xpath("//secDNS:keyTag/text()", namespaces=NS)] == [
            d.key_tag for d in secdns.ds_data
        ]
    if price is not None:
        assert [Decimal(f) for f in tree.xpath("//fee:fee/text()", namespaces=NS)] == [price]


@settings(max_examples=60, deadline=None)
@given(
    name=names,
    add=st.lists(names, max_size=3),
    rem=st.lists(names, max_size=3),
    statuses=st.lists(
        st.sampled_from(["clientHold", "clientUpdateProhibited", "clientTransferProhibited"]),
        max_size=3,
        unique=True,
    ),
    registrant=st.none() | st.just("") | ids,
    auth=st.none() | st.just("") | ids,
    secdns=st.none()
    | st.builds(
        SecDNSUpdate,
        add_ds=st.lists(ds, min_size=1, max_size=2).map(tuple),
        rem_all=st.booleans(),
        urgent=st.booleans(),
    ),
)
def test_domain_update_is_always_valid(
    name: str,
    add: list[str],
    rem: list[str],
    statuses: list[str],
    registrant: str | None,
    auth: str | None,
    secdns: SecDNSUpdate | None,
) -> None:
    command = DomainUpdate(
        name,
        add_nameservers=add,
        rem_nameservers=rem,
        add_statuses=statuses,
        registrant=registrant,
        auth_info=auth,
        secdns=secdns,
    )
    schema_validate(command.to_xml("BUR-PROP"))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.booleans()), min_size=1, max_size=8, unique_by=lambda t: to_alabel(t[0])
    )
)
def test_check_request_and_response_round_trip(answers: list[tuple[str, bool]]) -> None:
    request = DomainCheck([n for n, _ in answers]).to_xml("BUR-PROP")
    schema_validate(request)
    wire = etree.fromstring(request).xpath("//domain:name/text()", namespaces=NS)
    # A server answering for exactly the names it received:
    cds = "".join(
        f'<domain:cd><domain:name avail="{int(avail)}">{n}</domain:name></domain:cd>'
        for n, (_, avail) in zip(wire, answers, strict=True)
    )
    response = parse_response(
        frame(
            f"<response>{OK}<resData><domain:chkData {D}>{cds}</domain:chkData></resData>"
            f"{TR}</response>"
        )
    )
    data = response.data
    assert isinstance(data, DomainCheckData)
    for original, avail in answers:
        assert data[original].available is avail
