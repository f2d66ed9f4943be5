"""Members' proposals: a motion, a price list, a service (a price list of a service) or a
yearly environment budget. A member proposes and backs it; once ``conf.proposal_backers()``
members (the proposer included) back it, it waits for the board — mailed then — which
schedules its ballot (``board.schedule``). An adopted environment budget becomes the year's
budget, in the closing transaction.

Errors: NotAMember, InvalidProposal (field named).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from bureau.coop import conf, tally
from bureau.coop.models import (
    Backing,
    Ballot,
    EnvironmentBudget,
    Member,
    PricedOperation,
    Proposal,
    ProposalKind,
    ProposalState,
)
from bureau.core import clock
from bureau.registrar.accounts.mail import mail_people

from . import ballots, pricing
from .errors import InvalidProposal, NotAMember

logger = logging.getLogger(__name__)


def active_member(user: Any) -> Member:
    member = Member.objects.filter(user=user).first() if getattr(user, "pk", None) else None
    if member is None or not member.is_active:
        raise NotAMember(_("Only members whose shares are paid can propose or back a "
                           "proposal."))
    return member


def submit(*, by: Any, kind: str, title: str, text: str, effective_from: datetime | None = None,
           price: Mapping[str, Any] | None = None, budget_year: int | None = None,
           energy_kwh: int | None = None, emissions_kg: int | None = None) -> Proposal:
    """A member's proposal, backed by them. ``price`` (for a price list or a service):
    subject, operation and breakdown (cents), taking effect on ``effective_from``."""
    member = active_member(by)
    if kind not in ProposalKind.values:
        raise InvalidProposal(_("Choose what you propose."), field="kind")
    title, text = title.strip(), text.strip()
    if not title:
        raise InvalidProposal(_("Give your proposal a title."), field="title")
    if not text:
        raise InvalidProposal(_("Say what you propose and why."), field="text")
    with transaction.atomic():
        proposal = Proposal(kind=kind, title=title, text=text, created_by=member,
                            created_at=clock.now())
        if kind in (ProposalKind.PRICES, ProposalKind.SERVICE):
            if not price or effective_from is None:
                raise InvalidProposal(_("Give the price, its breakdown and the date it takes "
                                        "effect."), field="subject")
            operation = price["operation"]
            if (kind == ProposalKind.SERVICE) != (operation == PricedOperation.SERVICE):
                raise InvalidProposal(
                    _("A service is priced per year as a service; a price list prices "
                      "domain operations."), field="operation")
            plist = pricing.propose(title=title, rationale=text, effective_from=effective_from,
                                    by=by)
            pricing.add_price(plist, subject=price["subject"], operation=operation,
                              breakdown=price["breakdown"], currency=conf.currency())
            proposal.price_list = plist
        elif kind == ProposalKind.BUDGET:
            if not budget_year or energy_kwh is None or emissions_kg is None:
                raise InvalidProposal(_("Give the year, the energy (kWh) and the emissions "
                                        "(kg CO₂e) it may use."), field="budget_year")
            if budget_year < clock.now().year:
                raise InvalidProposal(_("A budget is for this year or a coming one."),
                                      field="budget_year")
            proposal.budget_year, proposal.energy_kwh = budget_year, energy_kwh
            proposal.emissions_kg = emissions_kg
        proposal.save()
        back_as(proposal, member)
    return proposal


def back(proposal: Proposal, *, by: Any) -> Proposal:
    """The member ``by`` backs the proposal (once); enough backing sends it to the board."""
    member = active_member(by)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != ProposalState.SUPPORT:
            raise InvalidProposal(_("This proposal already has the backing it needed."))
        back_as(locked, member)
    proposal.refresh_from_db()
    return proposal


def back_as(proposal: Proposal, member: Member) -> None:
    try:
        with transaction.atomic():
            Backing.objects.create(proposal=proposal, member=member, at=clock.now())
    except IntegrityError as exc:
        raise InvalidProposal(_("You already back this proposal.")) from exc
    if proposal.backings.count() >= conf.proposal_backers():
        proposal.state = ProposalState.BACKED
        proposal.backed_at = clock.now()
        proposal.save(update_fields=["state", "backed_at"])
        transaction.on_commit(lambda: tell_board(proposal))


def board_people() -> list[str]:
    """The addresses of the board (the permission, from the "board" group or given alone)."""
    return sorted({u.email for u in board_users() if u.email})


def board_users() -> list[User]:
    permission = Permission.objects.get(codename="manage_ballots", content_type__app_label="coop")
    return list(User.objects.filter(is_active=True).filter(
        Q(groups__permissions=permission) | Q(user_permissions=permission)).distinct())


def tell_board(proposal: Proposal) -> None:
    """Mail the board that a proposal has the backing it needed (a mail server that refuses
    is logged: the proposal is on the board's page either way)."""
    people = board_users()
    if not people:
        return
    count = proposal.backings.count()

    def compose() -> tuple[str, str]:  # in each board person's language
        return (_("A proposal has the members' backing: schedule its ballot"),
                _("“%(title)s” (%(kind)s) is backed by %(count)s members. Schedule its ballot "
                  "from the board's page: %(url)s") % {
                    "title": proposal.title, "kind": proposal.get_kind_display(),
                    "count": count, "url": str(settings.BUREAU_PORTAL_URL).rstrip("/")
                    + reverse("coop:board")})
    try:
        mail_people(people, compose)
    except (OSError, SMTPException) as exc:
        logger.warning("could not tell the board about proposal %s: %s", proposal.pk, exc)


def backers_missing(proposal: Proposal) -> int:
    return max(0, conf.proposal_backers() - proposal.backings.count())


@receiver(ballots.ballot_closed)
def settle_budget(sender: Any, ballot: Ballot, result: tally.Tally, **kwargs: Any) -> None:
    """An adopted environment budget becomes the year's, in the closing transaction."""
    proposal = Proposal.objects.filter(ballot=ballot, kind=ProposalKind.BUDGET).first()
    if proposal is None or not ballots.adopted(ballot, result):
        return
    assert proposal.budget_year and proposal.energy_kwh is not None \
        and proposal.emissions_kg is not None
    EnvironmentBudget.objects.create(
        year=proposal.budget_year, energy_kwh=proposal.energy_kwh,
        emissions_kg=proposal.emissions_kg, actions=proposal.text, proposal=proposal,
        adopted_at=clock.now())


def budget_for(year: int) -> EnvironmentBudget | None:
    """The budget in force for a year: the latest adopted."""
    return EnvironmentBudget.objects.filter(year=year).order_by("-adopted_at", "-id").first()
