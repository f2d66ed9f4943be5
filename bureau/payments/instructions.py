"""How a member pays by bank transfer: the cooperative's account, the organisation's
reference, and the EPC QR code a banking app scans."""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import IBAN

from bureau.banking import epcqr
from bureau.banking import reference as rf
from bureau.registrar.accounts.models import Organisation

from . import conf


@dataclass(frozen=True)
class Transfer:
    beneficiary: str
    iban: str  # grouped by four, as printed
    bic: str
    reference: str  # grouped by four
    amount: int | None
    currency: str
    qr: str  # data: URL of an SVG image


def balance_reference(organisation: Organisation) -> str:
    return rf.make(rf.BALANCE, organisation.pk)


def transfer(reference: str, amount: int | None = None) -> Transfer:
    currency = conf.currency()
    iban = IBAN(conf.iban())
    payload = epcqr.payload(name=conf.beneficiary(), iban=str(iban.compact), bic=conf.bic(),
                            amount=amount or None, currency=currency, reference=reference)
    return Transfer(beneficiary=conf.beneficiary(), iban=iban.formatted, bic=conf.bic(),
                    reference=rf.pretty(reference), amount=amount or None, currency=currency,
                    qr=epcqr.data_uri(payload))


def top_up(organisation: Organisation, amount: int | None = None) -> Transfer:
    return transfer(balance_reference(organisation), amount)
