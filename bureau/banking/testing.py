"""Statements as a bank would write them, for tests, the benchmark and demonstrations: the
bank's side of a transfer, which Bureau only reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
PAIN002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"


@dataclass(frozen=True)
class Movement:
    ref: str  # the bank's reference (AcctSvcrRef)
    amount: int  # cents
    credit: bool = True
    name: str = ""
    iban: str = ""
    remittance: str = ""
    reference: str = ""  # structured creditor reference
    currency: str = "EUR"
    booked_on: date = date(2026, 12, 7)
    return_reason: str = ""
    end_to_end: str = ""


def _amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def camt053_chunks(movements: Iterable[Movement], *, account: str = "FR7630006000011234567890189",
                   statement_id: str = "STMT-1", namespace: str = CAMT053) -> Iterator[str]:
    """A camt.053 document, in pieces (a million lines never sit in memory)."""
    yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{namespace}">'
           f"<BkToCstmrStmt><GrpHdr><MsgId>{statement_id}</MsgId>"
           "<CreDtTm>2026-12-07T18:00:00</CreDtTm></GrpHdr>\n"
           f"<Stmt><Id>{statement_id}</Id><CreDtTm>2026-12-07T18:00:00</CreDtTm>"
           f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n")
    for m in movements:
        party, acct = ("Dbtr", "DbtrAcct") if m.credit else ("Cdtr", "CdtrAcct")
        ustrd = f"<Ustrd>{escape(m.remittance)}</Ustrd>" if m.remittance else ""
        strd = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                f"<Ref>{escape(m.reference)}</Ref></CdtrRefInf></Strd>") if m.reference else ""
        rtr = (f"<RtrInf><Rsn><Cd>{m.return_reason}</Cd></Rsn></RtrInf>"
               if m.return_reason else "")
        yield (f'<Ntry><Amt Ccy="{m.currency}">{_amount(m.amount)}</Amt>'
               f"<CdtDbtInd>{'CRDT' if m.credit else 'DBIT'}</CdtDbtInd>"
               f"{'<RvslInd>true</RvslInd>' if m.return_reason else ''}"
               f"<Sts>BOOK</Sts><BookgDt><Dt>{m.booked_on.isoformat()}</Dt></BookgDt>"
               f"<ValDt><Dt>{m.booked_on.isoformat()}</Dt></ValDt>"
               f"<AcctSvcrRef>{escape(m.ref)}</AcctSvcrRef>"
               "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
               "</Fmly></Domn></BkTxCd><NtryDtls><TxDtls>"
               f"<Refs><EndToEndId>{escape(m.end_to_end or 'NOTPROVIDED')}</EndToEndId></Refs>"
               f"<RltdPties><{party}><Nm>{escape(m.name)}</Nm></{party}>"
               + (f"<{acct}><Id><IBAN>{m.iban}</IBAN></Id></{acct}>" if m.iban else "")
               + f"</RltdPties><RmtInf>{ustrd}{strd}</RmtInf>{rtr}</TxDtls></NtryDtls>"
               "</Ntry>\n")
    yield "</Stmt></BkToCstmrStmt></Document>\n"


def camt053(movements: Iterable[Movement], **kwargs: str) -> bytes:
    return "".join(camt053_chunks(movements, **kwargs)).encode()


def mt940(movements: Iterable[Movement], *, account: str = "FR7630006000011234567890189",
          statement_id: str = "STMT-1") -> bytes:
    lines = [f":20:{statement_id}", f":25:{account}", ":28C:1/1", ":60F:C261206EUR0,00"]
    for m in movements:
        mark = ("C" if m.credit else "D") if not m.return_reason else ("RD" if m.credit else "RC")
        lines.append(f":61:{m.booked_on:%y%m%d}{m.booked_on:%m%d}{mark}"
                     f"{_amount(m.amount).replace('.', ',')}NTRFNONREF//{m.ref}")
        lines.append(f":86:?20{(m.reference or m.remittance)[:27]}?32{m.name[:27]}")
    lines.append(":62F:C261207EUR0,00")
    return ("\n".join(lines) + "\n-\n").encode()


def csv(movements: Iterable[Movement]) -> bytes:
    rows = ["id,date,amount,currency,name,iban,reference,remittance"]
    for m in movements:
        amount = _amount(m.amount if m.credit else -m.amount)
        rows.append(",".join([m.ref, m.booked_on.isoformat(), amount, m.currency,
                              m.name.replace(",", " "), m.iban, m.reference,
                              m.remittance.replace(",", " ")]))
    return ("\n".join(rows) + "\n").encode()


def pain002(message_id: str, rejected: Iterable[tuple[str, str, str]], *,
            group_status: str = "PART", payment_status: str = "") -> bytes:
    """A bank's pain.002.001.03 status report on the pain.008 file ``message_id``: each
    (payment information id, end-to-end id, reason code) rejected; with no end-to-end id,
    the block itself is rejected (``payment_status`` RJCT); ``group_status`` RJCT and no
    rows reject the whole file."""
    blocks: dict[str, list[tuple[str, str]]] = {}
    for payment, end_to_end, reason in rejected:
        blocks.setdefault(payment, []).append((end_to_end, reason))
    group_reason = ("<StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>"
                    if group_status == "RJCT" else "")
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{PAIN002}">'
             f"<CstmrPmtStsRpt><GrpHdr><MsgId>STS-{escape(message_id)}</MsgId>"
             "<CreDtTm>2026-12-08T09:00:00</CreDtTm><DbtrAgt><FinInstnId>"
             "<BIC>AGRIFRPPXXX</BIC></FinInstnId></DbtrAgt></GrpHdr>"
             f"<OrgnlGrpInfAndSts><OrgnlMsgId>{escape(message_id)}</OrgnlMsgId>"
             f"<OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId><GrpSts>{group_status}</GrpSts>"
             f"{group_reason}</OrgnlGrpInfAndSts>"]
    for payment, rows in blocks.items():
        status = f"<PmtInfSts>{payment_status}</PmtInfSts>" if payment_status else ""
        parts.append(f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{escape(payment)}</OrgnlPmtInfId>"
                     + status)
        for index, (end_to_end, reason) in enumerate(rows):
            if not end_to_end:
                continue
            parts.append(f"<TxInfAndSts><StsId>S{index + 1}</StsId>"
                         f"<OrgnlEndToEndId>{escape(end_to_end)}</OrgnlEndToEndId>"
                         f"<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn>"
                         "</StsRsnInf></TxInfAndSts>")
        parts.append("</OrgnlPmtInfAndSts>")
    parts.append("</CstmrPmtStsRpt></Document>\n")
    return "".join(parts).encode()
