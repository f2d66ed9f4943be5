"""How a member pays by bank transfer: the cooperative's account, the organisation's
reference, and the EPC QR code a banking app scans."""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import IBAN

from bureau.banking import epcqr
from bureau.banking import reference as rf
from bureau.coop.models import Invoice, InvoiceKind, Member
from bureau.coop.operations.membership import due
from bureau.registrar.accounts.models import ROLES_THAT_ORDER, Organisation
from bureau.registrar.billing.models import JournalKind

from . import conf
from .card import provider
from .models import BankLine, Mandate


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


def how_paid(invoice: Invoice) -> list[str]:
    """What an invoice says about its payment (in French, as invoices are): how it was
    settled, and how to top the balance up by transfer."""
    journal = invoice.journal
    line = BankLine.objects.filter(journal=journal).first()
    if line is not None:
        settled = (f"Réglée par virement reçu le {line.booked_on:%d/%m/%Y} "
                   f"(référence bancaire {line.entry_ref.rpartition(':')[2]}).")
    elif invoice.kind == InvoiceKind.CREDIT_NOTE:
        settled = "Remboursée sur le solde prépayé."
    elif journal.kind == JournalKind.TOP_UP:
        settled = f"Réglée par versement sur le solde prépayé le {journal.at:%d/%m/%Y}."
    else:
        settled = f"Réglée par prélèvement sur le solde prépayé le {journal.at:%d/%m/%Y}."
    how = transfer(balance_reference(invoice.organisation))
    return [settled, f"Pour approvisionner votre solde : virement à {how.beneficiary}, "
                     f"IBAN {how.iban}, BIC {how.bic}, référence {how.reference}."]


def share(member: Member) -> Transfer:
    """How a person pays their cooperative shares: the member's own share reference."""
    return transfer(rf.make(rf.SHARE, member.number), due(member) or None)


@dataclass(frozen=True)
class ShareOptions:
    """The other ways than a transfer a member may pay their shares."""

    card: bool
    mandates: list[Mandate]  # usable mandates of organisations the person may pay for


def share_options(member: Member) -> ShareOptions:
    mandates = list(Mandate.objects.filter(
        revoked_at__isnull=True, suspended_at__isnull=True,
        organisation__memberships__user_id=member.user_id,
        organisation__memberships__role__in=ROLES_THAT_ORDER).select_related("organisation"))
    return ShareOptions(card=provider() is not None, mandates=mandates)
