"""The response parser reads children in one pass with precomputed tags: it must give what
the find-by-name reading (kept here as the reference) gives, on every sample and on generated
check answers with reasons, comments and characters that need escaping.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bureau.epp import namespaces, parse_response
from bureau.epp.domain import DomainAvailability, DomainCheckData
from bureau.epp.errors import FrameError
from bureau.epp.registry import _PARSERS, parser_for
from bureau.epp.response import ExtValue, Result
from bureau.epp.xmlutil import children, need, opt_text, parse_bool, parse_xml, req_text, text

from . import samples
from .samples import OK, TR, D, frame

EPP, DOMAIN = namespaces.EPP, namespaces.DOMAIN

label = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-üéß清华ÅΣ"), min_size=1, max_size=12
).filter(lambda s: s[0] != "-" and s[-1] != "-" and s[2:4] != "--")
names = st.builds(lambda a, b: f"{a}.{b}", label, st.sampled_from(["example", "fr", "cn"]))


# ---- responses: the reference reading, as it was before the one-pass version -------------


def _xml_text(node: Any) -> str:
    return etree.tostring(node, encoding="unicode", with_tail=False)


def ref_result(node: Any) -> Result:
    msg = need(node, EPP, "msg")
    return Result(
        code=int(node.get("code")),
        message=text(msg),
        lang=msg.get("lang", "en"),
        values=tuple(_xml_text(v[0]) if len(v) else text(v) for v in children(node, EPP, "value")),
        ext_values=tuple(
            ExtValue(
                value=_xml_text(need(e, EPP, "value")[0])
                if len(need(e, EPP, "value"))
                else text(need(e, EPP, "value")),
                reason=req_text(e, EPP, "reason"),
            )
            for e in children(node, EPP, "extValue")
        ),
    )


def ref_check(node: Any) -> DomainCheckData:
    return DomainCheckData(
        tuple(
            DomainAvailability(
                text(need(cd, DOMAIN, "name")).lower(),
                parse_bool(need(cd, DOMAIN, "name").get("avail")),
                opt_text(cd, DOMAIN, "reason"),
            )
            for cd in children(node, DOMAIN, "cd")
        )
    )


def assert_same_as_reference(raw: bytes) -> None:
    response = parse_response(raw)
    resp = need(parse_xml(raw), EPP, "response")
    assert response.results == tuple(ref_result(r) for r in children(resp, EPP, "result"))
    tr = need(resp, EPP, "trID")
    assert response.cltrid == opt_text(tr, EPP, "clTRID")
    assert response.svtrid == req_text(tr, EPP, "svTRID")
    chk = next(resp.iter(f"{{{DOMAIN}}}chkData"), None)
    if chk is not None:
        assert response.data == ref_check(chk)


@pytest.mark.parametrize("name", sorted(set(samples.ALL) - {"greeting"}))
def test_one_pass_reading_equals_the_reference_on_samples(name: str) -> None:
    assert_same_as_reference(samples.ALL[name])


def test_parser_lookup_by_tag_equals_lookup_by_qname() -> None:
    for raw in samples.ALL.values():
        for node in parse_xml(raw).iter():
            if isinstance(node.tag, str):
                qname = etree.QName(node)
                assert parser_for(node) is _PARSERS.get((qname.namespace or "", qname.localname))


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


xml_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn")), max_size=20
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.booleans(), st.none() | xml_text, st.booleans()),
        min_size=1,
        max_size=6,
    ),
    xml_text.filter(lambda s: s.strip() != ""),
    st.booleans(),
)
def test_one_pass_reading_equals_the_reference_on_generated_checks(
    answers: list[tuple[str, bool, str | None, bool]], message: str, with_cltrid: bool
) -> None:
    cds = "".join(
        f"<domain:cd>{'<!-- c -->' if comment else ''}"
        f'<domain:name avail="{int(avail)}">{_escape(name)}</domain:name>'
        + ("" if reason is None else f"<domain:reason>{_escape(reason)}</domain:reason>")
        + "</domain:cd>"
        for name, avail, reason, comment in answers
    )
    cltrid = "<clTRID>A&amp;B</clTRID>" if with_cltrid else ""
    raw = frame(
        f'<response><result code="1000"><msg>{_escape(message)}</msg></result>'
        f"<resData><domain:chkData {D}>{cds}</domain:chkData></resData>"
        f"<trID>{cltrid}<svTRID>S-1</svTRID></trID></response>"
    )
    assert_same_as_reference(raw)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            f"<response>{OK}<resData><domain:chkData {D}><domain:cd/></domain:chkData>"
            f"</resData>{TR}</response>",
            "<name>",
        ),
        (f'<response><result code="1000"/>{TR}</response>', "<msg>"),
        (f"<response>{OK}<trID><clTRID>x</clTRID></trID></response>", "<svTRID>"),
    ],
)
def test_missing_required_elements_are_frame_errors(body: str, expected: str) -> None:
    with pytest.raises(FrameError, match=expected):
        parse_response(frame(body))


def test_each_thread_parses_with_its_own_parser() -> None:
    seen: list[Any] = []

    def work() -> None:
        from bureau.epp import xmlutil

        seen.append(xmlutil._parser())
        assert parse_response(samples.DOMAIN_CHECK).code == 1000

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(p) for p in seen}) == 3
