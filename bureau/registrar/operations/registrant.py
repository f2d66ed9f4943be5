"""Change of registrant (holder), with the consent of both holders.

Errors: NotAllowed; WrongState; StatusProhibits (UPDATE_PROHIBITED); ConsentMissing (fields
"old_holder_consent" / "new_holder_consent"); ContactInvalid; RegistryRefused; OutcomePending.

ICANN's Transfer Policy puts a transfer lock on the name after a change of registrant
(60 days by default, ``settings.BUREAU_REGISTRANT_CHANGE_LOCK_DAYS``), unless the holder
opted out before the change. Bureau keeps clientTransferProhibited on until then.

A name without a holder at Bureau (taken in by transfer from a registrar that withheld the
holder's details, adopt.py) is not changing hands: the member names its holder, with that
holder's consent only and no lock; the contact roles also withheld get that holder too, and
the registry names Bureau's handle instead of the losing registrar's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_MEMBERS
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation

from .common import Actor, EppOutcome, send
from .domainops import Done, authorise, run_free, verify_no_prohibiting_status, verify_state
from .errors import ConsentMissing
from .handles import ensure_handle
from .register import verify_contacts_belong
from .update import UPDATE_PROHIBITED


def verify_consents(old_holder_consent: bool, new_holder_consent: bool) -> None:
    if not old_holder_consent:
        raise ConsentMissing(_("The current holder has not agreed to give the name away."),
                             field="old_holder_consent")
    if not new_holder_consent:
        raise ConsentMissing(_("The new holder has not agreed to take the name."),
                             field="new_holder_consent")


def change_registrant(*, domain: Domain, actor: Actor, new_registrant: Contact,
                      old_holder_consent: bool, new_holder_consent: bool,
                      opt_out_of_transfer_lock: bool = False) -> Done:
    authorise(domain, actor, ROLES_THAT_MANAGE_MEMBERS)
    verify_state(domain, [DomainState.ACTIVE])
    verify_no_prohibiting_status(domain, UPDATE_PROHIBITED)
    previous = domain.registrant
    naming = previous is None  # naming a holder withheld at the transfer, not changing it
    verify_consents(old_holder_consent or naming, new_holder_consent)
    verify_contacts_belong(domain.organisation, [new_registrant])
    handle = ensure_handle(new_registrant, domain.registry)
    opt_out_of_transfer_lock = opt_out_of_transfer_lock or naming
    lock_days = int(getattr(settings, "BUREAU_REGISTRANT_CHANGE_LOCK_DAYS", 60))
    add_status = [] if opt_out_of_transfer_lock or domain.transfer_prohibited else [
        "clientTransferProhibited"]
    roles, add_contacts, rem_contacts = withheld_roles(domain, handle) if naming else (
        [], [], [])

    def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
        domain.registrant = new_registrant
        for field in roles:
            setattr(domain, field, new_registrant)
        if not opt_out_of_transfer_lock:
            domain.transfer_locked_until = clock.now() + timedelta(days=lock_days)
            domain.transfer_prohibited = True
            domain.statuses = sorted({*domain.statuses, "clientTransferProhibited"})
        return {"from": previous.pk if previous else None, "to": new_registrant.pk,
                "transfer_lock_days": 0 if opt_out_of_transfer_lock else lock_days}

    def settle(domain: Domain, data: epp.DomainInfoData) -> bool | None:
        return data.registrant == handle

    return run_free(domain=domain, actor=actor, operation=Operation.REGISTRANT_CHANGE,
                    what=str(_("change of holder")),
                    command=epp.DomainUpdate(domain.name, registrant=handle,
                                             add_statuses=add_status,
                                             add_contacts=add_contacts,
                                             rem_contacts=rem_contacts),
                    on_success=on_success, settle=settle)


def withheld_roles(domain: Domain, handle: str) -> tuple[
        list[str], list[epp.DomainContact], list[epp.DomainContact]]:
    """The contact roles Bureau has no contact for (withheld at the transfer), and the update
    that names ``handle`` for them instead of what the registry holds (read with an info)."""
    roles = [field for field in ("admin_contact", "tech_contact", "billing_contact")
             if getattr(domain, f"{field}_id") is None]
    if not roles:
        return [], [], []
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    data = outcome.response.data if outcome.response is not None else None
    held = list(data.contacts) if isinstance(data, epp.DomainInfoData) else []
    kinds = {field.removesuffix("_contact") for field in roles}
    rem = [c for c in held if c.type in kinds and c.id != handle]
    add = [epp.DomainContact(kind, handle) for kind in sorted(kinds)  # type: ignore[arg-type]
           if not any(c.type == kind and c.id == handle for c in held)]
    return roles, add, rem
