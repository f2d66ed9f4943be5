"""After a payment is credited (the transaction committed): a job pays what was waiting for
the money and emails the organisation's billing people."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from bureau.coop import conf as coop_conf
from bureau.coop.operations import membership
from bureau.registrar.accounts.models import language_of_person

from .jobs import settle_payments, settle_statement

logger = logging.getLogger("bureau.payments")


def after_credit(organisation_ids: Sequence[int], lines: Sequence[Any]) -> None:
    """One job per organisation credited (a card payment, staff's click)."""
    for organisation_id in organisation_ids:
        settle_payments.enqueue(organisation_id=organisation_id,
                                line_ids=[line.pk for line in lines
                                          if line.organisation_id == organisation_id])


def after_statement(statement_id: int) -> None:
    """One job for a whole statement, however many organisations it credits (each settled
    in turn, one failing does not stop the others)."""
    settle_statement.enqueue(statement_id=statement_id)


def after_shares(lines: Sequence[Any]) -> None:
    """Tell each person whose share payment arrived (a bank line, a direct debit or a card
    payment: each has its member, amount and currency): a member now, or what is due."""
    for line in lines:
        member = line.member
        member.refresh_from_db()
        if not member.user.email:
            continue
        context = {"member": member, "line": line, "due": membership.due(member),
                   "currency": coop_conf.currency()}
        with translation.override(language_of_person(member.user,
                                                     translation.get_language())):
            subject = " ".join(render_to_string("payments/email/share_paid.subject.txt",
                                                context).split())
            body = render_to_string("payments/email/share_paid.txt", context)
        send_mail(subject, body, None, [member.user.email])
