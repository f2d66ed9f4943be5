"""The hot paths (domain:check frames out, responses in) give what the general code gives.

DomainCheck without extensions assembles its frame as text; it must be byte-identical to the
lxml build. The response parser reads children in one pass with precomputed tags; it must give
what the find-by-name reading (kept here as the reference) gives, on every sample and on
generated check answers with reasons, comments and characters that need escaping.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bureau.epp import Command, DomainCheck, FeeCheck, namespaces, parse_response
from bureau.epp.domain import DomainAvailability, DomainCheckData, read_check_answer
from bureau.epp.errors import FrameError
from bureau.epp.registry import _PARSERS, parser_for
from bureau.epp.response import ExtValue, Result
from bureau.epp.xmlutil import children, need, opt_text, parse_bool, parse_xml, req_text, text

from . import samples
from .conftest import schema_validate
from .samples import OK, TR, D, frame

EPP, DOMAIN = namespaces.EPP, namespaces.DOMAIN

label = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-üéß清华ÅΣ"), min_size=1, max_size=12
).filter(lambda s: s[0] != "-" and s[-1] != "-" and s[2:4] != "--")
names = st.builds(lambda a, b: f"{a}.{b}", label, st.sampled_from(["example", "fr", "cn"]))
# Any text at all: quotes, &, <, >, controls, surrogates, non-BMP characters.
cltrids = st.none() | st.text(max_size=40) | st.text(st.sampled_from("&<>\"' -é\r\n\t"), max_size=8)


def general(command: DomainCheck, cltrid: str | None) -> bytes:
    return Command.to_xml(command, cltrid)  # the lxml build every other command uses


def outcome(build: Any) -> tuple[str, Any]:
    try:
        return "ok", build()
    except Exception as exc:  # both paths must fail the same way
        return "error", type(exc)


@settings(max_examples=300, deadline=None)
@given(st.lists(names, min_size=1, max_size=6), cltrids)
def test_check_frame_text_equals_the_lxml_build(names_: list[str], cltrid: str | None) -> None:
    command = DomainCheck(names_)
    assert outcome(lambda: command.to_xml(cltrid)) == outcome(lambda: general(command, cltrid))


@pytest.mark.parametrize("cltrid", [None, "BUR-1764072000123-4f2a-000001", "A&B<C>\"D'", "né-1"])
def test_check_frame_fast_path_validates(cltrid: str | None) -> None:
    command = DomainCheck(["example.com", "Bücher.example", "清华.cn", "XN--BCHER-KVA.fr"])
    frame_ = command.to_xml(cltrid)
    assert frame_ == general(command, cltrid)
    if cltrid is None or len(cltrid) >= 3:  # clTRID is a 3-64 character token in the schema
        schema_validate(frame_)


def test_check_with_an_extension_takes_the_lxml_build() -> None:
    command = DomainCheck(["example.com"], fee=FeeCheck())
    assert command.to_xml("BUR-1") == general(command, "BUR-1")
    assert b"fee:check" in command.to_xml("BUR-1")


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


# ---- the text reading of check answers -----------------------------------------------------

DECLARATIONS = [
    "",
    "<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n",
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0"?>\r\n',
    '<?xml version="1.0" encoding="ISO-8859-1"?>',  # another encoding: lxml's business
    "<?xml version='1.0\" encoding='UTF-8'?>",  # mismatched quotes: not XML
    " <?xml version='1.0'?>",  # a declaration must come first
]
SPACES = ["", "", " ", "\n  ", "\r\n\t", "\f"]  # form feed is not XML whitespace
reason_text = st.text(
    st.sampled_from("ab é清 -'\"&<>\t\n\r\x01\ufffe]") | st.characters(codec="utf-8"), max_size=12
)


@st.composite
def check_answers(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A check answer, and whether it is written in the common way the text reading takes."""
    plain = True

    def space() -> str:
        nonlocal plain
        value = draw(st.sampled_from(SPACES))
        plain &= value != "\f"
        return value

    def raw_text(value: str) -> str:
        nonlocal plain
        written = _escape(value) if draw(st.booleans()) else value
        plain &= all(c not in "&<>\r\ufffe\uffff" and (c >= " " or c in "\t\n") for c in written)
        return written

    declaration = draw(st.sampled_from(DECLARATIONS))
    plain &= declaration in DECLARATIONS[:4]
    cds = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(names | st.sampled_from(["Example.COM", "xn--bcher-kva.example"]))
        plain &= name.isascii()
        quote = draw(st.sampled_from(['"', "'"]))
        plain &= quote == '"'
        avail = draw(st.sampled_from(["1", "0", "true", "false"]))
        reason = draw(st.none() | reason_text)
        lang = draw(st.sampled_from(["", ' lang="fr"']))
        cd = (
            f"<domain:cd>{space()}<domain:name avail={quote}{avail}{quote}>"
            f"{_escape(name)}</domain:name>"
        )
        if reason is not None:
            cd += f"{space()}<domain:reason{lang}>{raw_text(reason)}</domain:reason>"
        if draw(st.booleans()) and draw(st.booleans()):
            cd += "<!-- note -->"
            plain = False
        cds.append(cd + f"{space()}</domain:cd>{space()}")
    msg_lang = draw(st.sampled_from(["", ' lang="en"', ' lang="fr-CA"']))
    message = raw_text(draw(reason_text))
    msgq = draw(st.sampled_from(["", '<msgQ count="5" id="12345"/>']))
    cltrid = draw(st.none() | st.sampled_from(["ABC-12345", " A B ", "é"]))
    code = draw(st.sampled_from(["1000", "1000", "1001", "2400"]))
    plain &= code != "2400"
    frame_ = (
        f'{declaration}<epp xmlns="{EPP}">{space()}<response>{space()}<result code="{code}">'
        f"{space()}<msg{msg_lang}>{message}</msg>{space()}</result>{space()}{msgq}"
        f"<resData>{space()}<domain:chkData {D}>{space()}{''.join(cds)}</domain:chkData>"
        f"{space()}</resData>{space()}<trID>"
        + ("" if cltrid is None else f"<clTRID>{cltrid}</clTRID>")
        + f"<svTRID>S-1</svTRID></trID></response>{space()}</epp>{space()}"
    )
    return frame_.encode(), plain


def read_generally(raw: bytes) -> tuple[str, Any]:
    from bureau.epp.response import _root, response_from_element

    return outcome(lambda: response_from_element(_root(raw), raw))


@settings(max_examples=400, deadline=None)
@given(check_answers())
def test_text_reading_of_check_answers_equals_the_general_reading(
    answer: tuple[bytes, bool],
) -> None:
    raw, plain = answer
    fast = read_check_answer(raw)
    if fast is not None:
        assert read_generally(raw) == ("ok", fast)
    assert (fast is not None) == plain, "the common writing must take the text reading"
    assert outcome(lambda: parse_response(raw)) == read_generally(raw)


@settings(max_examples=300, deadline=None)
@given(check_answers(), st.integers(0, 10_000), st.binary(min_size=0, max_size=2))
def test_a_damaged_check_answer_is_read_as_lxml_reads_it(
    answer: tuple[bytes, bool], where: int, insert: bytes
) -> None:
    raw, _ = answer
    at = where % len(raw)
    damaged = raw[:at] + insert + raw[at + 1 :]
    fast = read_check_answer(damaged)
    if fast is not None:  # the text reading never accepts what lxml refuses
        assert read_generally(damaged) == ("ok", fast)


def test_the_sandbox_answer_to_a_check_takes_the_text_reading() -> None:
    raw = (
        b"<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n"
        b'<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><response><result code="1000"><msg>'
        b"Command completed successfully</msg></result><resData><domain:chkData "
        b'xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:cd><domain:name avail="1">'
        b"bench-0.test</domain:name></domain:cd></domain:chkData></resData><trID><clTRID>"
        b"BUR-1795618566737-1ace-003000</clTRID><svTRID>SBX-6b06f705-6001</svTRID></trID>"
        b"</response></epp>"
    )
    response = read_check_answer(raw)
    assert response is not None and response == parse_response(raw)
    assert response.data.results == (DomainAvailability("bench-0.test", True, None),)
    assert response.cltrid == "BUR-1795618566737-1ace-003000" and response.raw == raw


def test_answers_read_one_after_another_each_get_their_own_envelope() -> None:
    def answer(msgq: str, gap: str, name: str, trid: str) -> bytes:
        return frame(
            f"<response>{OK}{msgq}<resData><domain:chkData {D}>{gap}<domain:cd>"
            f'<domain:name avail="0">{name}</domain:name></domain:cd></domain:chkData>'
            f"</resData><trID><clTRID>{trid}</clTRID><svTRID>S-1</svTRID></trID></response>"
        )

    queue = '<msgQ count="{}" id="{}"/>'
    answers = [
        answer(queue.format(5, 1), "", "a.example", "T-1"),
        answer(queue.format(5, 1), "", "b.example", "T-2"),  # same envelope
        answer(queue.format(4, 2), "", "c.example", "T-3"),  # the queue moved on
        answer(queue.format(4, 2), "\n", "d.example", "T-4"),
        answer(queue.format(4, 2), "\n  ", "e.example", "T-5"),  # longer than the one kept
        answer("", "", "f.example", "T-6"),
        answer("", "", "g.exa&amp;mple", "T-7"),  # left to lxml, which reads the entity
    ]
    for raw in answers:
        assert read_generally(raw) == ("ok", parse_response(raw))
    read = [parse_response(raw) for raw in answers]
    assert [r.data.results[0].name for r in read] == [
        "a.example",
        "b.example",
        "c.example",
        "d.example",
        "e.example",
        "f.example",
        "g.exa&mple",
    ]
    assert [r.msgq.count if r.msgq else None for r in read] == [5, 5, 4, 4, 4, None, None]
    assert [r.cltrid for r in read] == [f"T-{i}" for i in range(1, 8)]
    assert read_check_answer(answers[-1]) is None
