"""The life `bureau run` shows beyond the logins (bureau.registrar.demo): names in several
states (one hosted on Bureau's DNS, with its signed zone; one renewed; one deleted), the demo
member as a member of the cooperative with their share paid, an open ballot, an environment
budget they proposed (gathering backing) with today's environmental reading, and the
invoices all this issued. Made through the same operations as every door, against the
sandbox registry and the local PowerDNS `bureau run` starts; loaded once (an organisation
with names is left alone)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.models import User

from bureau.coop import conf as coop_conf
from bureau.coop.models import Ballot, BallotState, College, Member, Proposal, ProposalKind
from bureau.coop.operations import ballots, membership, proposals
from bureau.coop.operations.environment import record_reading
from bureau.core import clock
from bureau.core.credentials import Credential
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import delete, register, renew
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.dnschoice import DnsChoice

logger = logging.getLogger("bureau.cli")


def load_life(*, registry: bool, dns: bool) -> list[str]:
    """What was added (for the summary). ``registry``/``dns``: the sandbox and PowerDNS run."""
    organisation = Organisation.objects.get(slug="demo")
    person = User.objects.get(username="membre")
    done: list[str] = []
    if registry and not organisation.domains.exists():
        actor = Actor(person, credential=Credential.console())
        holder = Contact.objects.filter(organisation=organisation).order_by("pk").first()
        assert holder is not None, "load_demo_data makes the holder first"
        hosted = register.register(
            organisation=organisation, actor=actor, name="atelier-demo.test",
            registrant=holder, dns=DnsChoice.BUREAU if dns else DnsChoice.LATER).domain
        kept = register.register(organisation=organisation, actor=actor,
                                 name="cooperative-demo.test", registrant=holder,
                                 dns=DnsChoice.LATER).domain
        renew.renew(domain=kept, actor=actor)
        gone = register.register(organisation=organisation, actor=actor,
                                 name="ancien-demo.test", registrant=holder,
                                 dns=DnsChoice.LATER).domain
        delete.delete(domain=gone, actor=actor)
        done.append(f"names {hosted.name}{' (Bureau DNS)' if dns else ''}, {kept.name} "
                    f"(renewed), {gone.name} (deleted)")
    if not Member.objects.filter(user=person).exists():
        member = membership.join(person, College.objects.get(code="customers"), 1,
                                 name="Camille Démo")
        membership.record_share_payment(member, membership.due(member), coop_conf.currency(),
                                        how="demo")
        done.append(f"cooperative member no. {member.number}")
    if not Ballot.objects.filter(state=BallotState.OPEN).exists():
        now = clock.now()
        ballot = ballots.create(
            title="Rapport annuel 2026", opens_at=now, closes_at=now + timedelta(days=14),
            text="Approuver le rapport d'activité et les comptes de l'exercice.",
            options=ballots.yes_no_abstain(), quorum_percent=10)
        done.append(f"open ballot “{ballot.title}”")
    if not Proposal.objects.exists():
        year = clock.now().year
        proposal = proposals.submit(
            by=person, kind=ProposalKind.BUDGET, title=f"Sobriété {year}",
            text="Éteindre le serveur de secours la nuit ; héberger chez une coopérative "
                 "alimentée en énergie renouvelable.",
            budget_year=year, energy_kwh=1500, emissions_kg=150)
        record_reading()  # the transparency page's year starts today
        done.append(f"proposal “{proposal.title}” and today's environmental reading")
    return done
