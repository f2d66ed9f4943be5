"""Auto-renew as an explicit choice, per domain or per organisation (never a default)."""

from __future__ import annotations

from datetime import datetime

from bureau.core import clock
from bureau.registrar.accounts.models import ROLES_THAT_ORDER, Organisation
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import Actor, verify_role

from .loaded import loaded
from .models import Goodbye, RenewalChoice


def auto_renew_of(domain: Domain) -> bool | None:
    """True or False when someone chose (the domain's choice wins over the organisation's);
    None when nobody did: the name is then not renewed automatically."""
    known, choice = loaded(domain, "renewal_choice")
    if not known:
        choice = RenewalChoice.objects.filter(domain=domain).first()
    if choice is None:
        known, organisation = loaded(domain, "organisation")
        if known:
            known, choice = loaded(organisation, "renewal_choice")
        if not known:
            choice = RenewalChoice.objects.filter(organisation_id=domain.organisation_id).first()
    return None if choice is None else bool(choice.auto_renew)


def set_auto_renew(*, actor: Actor, on: bool, domain: Domain | None = None,
                   organisation: Organisation | None = None,
                   now: datetime | None = None) -> RenewalChoice:
    """Record the choice for one domain or, without ``domain``, for the organisation."""
    if (domain is None) == (organisation is None):
        raise ValueError("give a domain or an organisation")
    owner = domain.organisation if domain is not None else organisation
    assert owner is not None
    verify_role(owner, actor, ROLES_THAT_ORDER)
    target = {"domain": domain} if domain is not None else {"organisation": organisation}
    choice, _created = RenewalChoice.objects.update_or_create(
        **target, defaults={"auto_renew": on, "chosen_by": actor.user,
                            "chosen_at": now or clock.now()})
    return choice


def abandoned(domain: Domain) -> Goodbye | None:
    """The goodbye in force, if the member chose to give the name up."""
    return Goodbye.objects.filter(domain=domain, withdrawn_at=None).first()
