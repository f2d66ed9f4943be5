"""The file formats alone (bureau.banking, no database): references, the EPC QR code,
statement parsers and how they refuse bad files."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from stdnum import iso11649

from bureau.banking import camt, csvstatement, epcqr, formats, mt940
from bureau.banking import reference as rf
from bureau.banking.statement import StatementError
from bureau.banking.testing import Movement, camt053, csv
from bureau.banking.testing import mt940 as mt940_file

pytestmark = pytest.mark.sqlite


def test_references_are_iso_11649_and_found_in_free_text() -> None:
    ref = rf.make(rf.BALANCE, 42)
    assert iso11649.is_valid(ref) and ref.startswith("RF") and ref.endswith("B00000042")
    assert rf.make(rf.BALANCE, 42) == ref  # stable
    assert rf.parse(rf.pretty(ref).lower()) == rf.Reference(rf.BALANCE, 42)
    # Spaces moved by a bank, other words around it.
    text = f"virement {ref[:6]} {ref[6:]} merci"
    assert rf.find(text) == rf.Reference(rf.BALANCE, 42)
    wrong = ref[:2] + f"{(int(ref[2:4]) + 1) % 100:02d}" + ref[4:]
    assert rf.find(wrong) is None  # a wrong check digit is no reference
    assert rf.make(rf.SHARE, 7) != rf.make(rf.BALANCE, 7)


def test_epc_qr_payload_follows_epc069_12() -> None:
    text = epcqr.payload(name="Bureau SCIC", iban="FR76 3000 6000 0112 3456 7890 189",
                         bic="AGRIFRPPXXX", amount=1234, reference="RF33B00000042")
    assert text.split("\n") == ["BCD", "002", "1", "SCT", "AGRIFRPPXXX", "Bureau SCIC",
                                "FR7630006000011234567890189", "EUR12.34", "",
                                "RF33B00000042"]
    assert epcqr.data_uri(text).startswith("data:image/svg+xml")
    with pytest.raises(ValueError):
        epcqr.payload(name="x", iban="FR76", currency="USD")


MOVES = [Movement("A1", 1234, name="Asso", reference="RF33B00000042"),
         Movement("A2", 500, credit=False, name="Refund", remittance="refund"),
         Movement("A3", 700, remittance="F2026-000003 thanks", name="Bob",
                  booked_on=date(2026, 12, 6))]


@pytest.mark.parametrize(("writer", "expected"), [(camt053, "camt"), (mt940_file, "mt940"),
                                                  (csv, "csv")])
def test_each_format_gives_the_same_movements(writer: Any, expected: str) -> None:
    kind, lines = formats.parse(io.BytesIO(writer(MOVES)))
    assert kind == expected
    got = list(lines)
    assert [(g.amount, g.credit, g.booked_on, g.name) for g in got] == [
        (m.amount, m.credit, m.booked_on, m.name) for m in MOVES]
    assert all(g.entry_ref.endswith(m.ref) for g, m in zip(got, MOVES, strict=True))
    assert rf.find(got[0].reference, got[0].remittance) == rf.Reference(rf.BALANCE, 42)
    assert "F2026-000003" in got[2].remittance


def test_camt_batch_entries_and_returns() -> None:
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"
    xml = f"""<Document xmlns="{ns}"><BkToCstmrDbtCdtNtfctn><Ntfctn>
<Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-12-01</Dt></BookgDt><AcctSvcrRef>B1</AcctSvcrRef><NtryDtls>
<TxDtls><Refs><AcctSvcrRef>T1</AcctSvcrRef></Refs><Amt Ccy="EUR">10.00</Amt>
<RltdPties><Dbtr><Pty><Nm>Une</Nm></Pty></Dbtr></RltdPties></TxDtls>
<TxDtls><Refs><AcctSvcrRef>T2</AcctSvcrRef></Refs><Amt Ccy="EUR">20.00</Amt>
<RltdPties><Dbtr><Pty><Nm>Deux</Nm></Pty></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
<BookgDt><Dt>2026-12-01</Dt></BookgDt><AcctSvcrRef>P1</AcctSvcrRef></Ntry>
<Ntry><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-02</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef>
<NtryDtls><TxDtls><RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"""
    lines = list(camt.parse(io.BytesIO(xml.encode())))
    assert [(line.entry_ref, line.amount, line.name) for line in lines[:2]] == [
        ("FR7630006000011234567890189:T1", 1000, "Une"),
        ("FR7630006000011234567890189:T2", 2000, "Deux")]
    assert len(lines) == 3  # the pending entry is not booked yet
    assert lines[2].returned and lines[2].return_reason == "AM04" and not lines[2].credit


@pytest.mark.parametrize(("data", "expected"), [
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>",
     "malformed"),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
     "not a camt.053 or camt.054"),
    (camt053([Movement("X", 100, currency="XYZ")]), "not an ISO 4217 currency"),
    (camt053([Movement("X", 0)]), "not positive"),
    (camt053([Movement("X", -500)]), "not positive"),
    (camt053([Movement("X", 100)]).replace(b"<AcctSvcrRef>X</AcctSvcrRef>", b""),
     "no bank reference"),
    (b"id,date,amount,currency\nA,2026-12-01,0,EUR\n", "the amount is zero"),
    (b"id,date,amount,currency\nA,2026-12-01,1.234,EUR\n", "at most two decimals"),
    (b"id,date,amount\nA,2026-12-01,1\n", "lacks the column(s) currency"),
    (b":20:X\n:25:FR76\n:61:2612011201C10,00NTRFNONREF//A\n", "before the opening balance"),
    (b"hello", "not a camt.053/camt.054 XML statement, an MT940"),
])
def test_bad_files_are_refused_with_the_line_and_the_reason(data: bytes,
                                                            expected: str) -> None:
    with pytest.raises(StatementError) as refused:
        _kind, lines = formats.parse(io.BytesIO(data))
        list(lines)
    assert expected in str(refused.value)


def test_every_problem_of_a_file_is_listed() -> None:
    data = b"id,date,amount,currency\nA,2026-12-01,0,EUR\nB,2026-13-01,1,EUR\nC,x,1,USD\n"
    with pytest.raises(StatementError) as refused:
        list(csvstatement.parse(io.BytesIO(data)))
    assert [p.line for p in refused.value.problems] == [2, 3, 4]


def test_mt940_german_subfields() -> None:
    data = (b":20:S1\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C261130EUR100,00\n"
            b":61:2612011201CR25,50NTRFNONREF//BANK1\n"
            b":86:166?00GUTSCHRIFT?20RF33 B000 0004 2?21Merci?32ASSO DES?33JARDINS\n"
            b":62F:C261201EUR125,50\n-\n")
    [line] = list(mt940.parse(io.BytesIO(data)))
    assert line.amount == 2550 and line.credit and line.name == "ASSO DESJARDINS"
    assert rf.find(line.remittance) == rf.Reference(rf.BALANCE, 42)
