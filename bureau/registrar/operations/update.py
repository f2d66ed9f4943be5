"""Update a domain: name servers, contacts, locks, DS records. Free of charge.

Errors: NotAllowed; WrongState (not active); StatusProhibits (UPDATE_PROHIBITED; the update
lock itself can always be lifted); InvalidName (field "nameservers"); ContactInvalid;
RegistryRefused; OutcomePending.

The command carries only the difference between what Bureau holds and what is asked, so a
repeated update is harmless; a lost answer is settled by comparing an info with the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.epp.domain import ContactType
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_DOMAINS
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, DSRecord, Operation

from .common import Actor, EppOutcome, parse_name
from .domainops import Done, authorise, run_free, verify_no_prohibiting_status, verify_state
from .errors import InvalidName, StatusProhibits
from .handles import ensure_handle
from .hosts import ensure_hosts
from .register import verify_contacts_belong

UPDATE_PROHIBITED = frozenset({"clientUpdateProhibited", "serverUpdateProhibited",
                               "pendingDelete", "pendingTransfer"})
LOCKS = {
    "transfer": ("transfer_prohibited", "clientTransferProhibited"),
    "update": ("update_prohibited", "clientUpdateProhibited"),
    "delete": ("delete_prohibited", "clientDeleteProhibited"),
    "renew": ("renew_prohibited", "clientRenewProhibited"),
}


# Sent before an update that changes a name's name servers (keywords: domain, nameservers:
# the new list). A receiver may answer (ds, notice): the DS the registry must hold with those
# name servers, sent in the same update, and what the member is told about it (in the
# result's ``detail["notice"]``). DNS hosting removes Bureau's DS when a name leaves Bureau's
# name servers (a DS nobody serves makes the name bogus) and sends it when the name comes back.
delegation_changing = Signal()


@dataclass(frozen=True)
class DS:
    key_tag: int
    algorithm: int
    digest_type: int
    digest: str

    def epp(self) -> epp.DSData:
        return epp.DSData(self.key_tag, self.algorithm, self.digest_type, self.digest)


def verify_transfer_lock_may_lift(domain: Domain, locks: dict[str, bool]) -> None:
    """After a change of holder the transfer lock stays on until its date (unless the holder
    opted out when changing)."""
    until = domain.transfer_locked_until
    if locks.get("transfer") is False and until is not None and until > clock.now():
        raise StatusProhibits(
            _("%(name)s changed holder recently: its transfer lock stays on until %(date)s.")
            % {"name": domain.u_label, "date": until.date().isoformat()})


def verify_nameservers(names: Sequence[str]) -> list[str]:
    parsed = []
    for name in names:
        try:
            parsed.append(parse_name(name))
        except InvalidName as exc:
            raise InvalidName(exc.message, field="nameservers") from exc
    if len(set(parsed)) != len(parsed):
        raise InvalidName(_("A name server is listed twice."), field="nameservers")
    return parsed


def update(*, domain: Domain, actor: Actor, nameservers: Sequence[str] | None = None,
           admin: Contact | None = None, tech: Contact | None = None,
           billing: Contact | None = None, locks: dict[str, bool] | None = None,
           ds_records: Sequence[DS] | None = None) -> Done:
    """Change what is given; leave the rest as it is. ``locks`` maps transfer/update/delete/
    renew to on (True) or off (False)."""
    authorise(domain, actor, ROLES_THAT_MANAGE_DOMAINS)
    verify_state(domain, [DomainState.ACTIVE])
    locks = locks or {}
    unknown = set(locks) - set(LOCKS)
    if unknown:
        raise ValueError(f"unknown locks {sorted(unknown)}; use {sorted(LOCKS)}")
    only_unlocking_update = locks.get("update") is False and not any(
        v is not None for v in (nameservers, admin, tech, billing, ds_records))
    if not only_unlocking_update:
        prohibited = UPDATE_PROHIBITED
        if locks.get("update") is False:
            prohibited = prohibited - {"clientUpdateProhibited"}
        verify_no_prohibiting_status(domain, prohibited)
    verify_transfer_lock_may_lift(domain, locks)
    verify_contacts_belong(domain.organisation, [admin, tech, billing])
    registry = domain.registry

    wanted_ns = verify_nameservers(nameservers) if nameservers is not None else None
    notice = ""
    if wanted_ns is not None and set(wanted_ns) != set(domain.nameservers) and ds_records is None:
        ds_records, notice = ds_following_delegation(domain, wanted_ns)
    add_ns = [n for n in wanted_ns if n not in domain.nameservers] if wanted_ns is not None \
        else []
    rem_ns = [n for n in domain.nameservers if n not in wanted_ns] if wanted_ns is not None \
        else []

    add_contacts: list[epp.DomainContact] = []
    rem_contacts: list[epp.DomainContact] = []
    new_contacts: dict[str, Contact] = {}
    roles: tuple[tuple[ContactType, str, Contact | None], ...] = (
        ("admin", "admin_contact", admin), ("tech", "tech_contact", tech),
        ("billing", "billing_contact", billing))
    for kind, field, contact in roles:
        current: Contact | None = getattr(domain, field)
        if contact is None or (current is not None and current.pk == contact.pk):
            continue
        add_contacts.append(epp.DomainContact(kind, ensure_handle(contact, registry)))
        if current is not None:
            handle = current.handle_at(registry)
            if handle:
                rem_contacts.append(epp.DomainContact(kind, handle))
        new_contacts[field] = contact

    add_status: list[str] = []
    rem_status: list[str] = []
    for key, on in locks.items():
        field, status = LOCKS[key]
        if getattr(domain, field) != on:
            (add_status if on else rem_status).append(status)

    secdns = None
    if ds_records is not None:
        current_ds = {DS(d.key_tag, d.algorithm, d.digest_type, d.digest.upper())
                      for d in domain.ds_records.all()}
        wanted_ds = {DS(d.key_tag, d.algorithm, d.digest_type, d.digest.upper())
                     for d in ds_records}
        if current_ds != wanted_ds:
            secdns = epp.SecDNSUpdate(add_ds=tuple(d.epp() for d in wanted_ds - current_ds),
                                      rem_ds=tuple(d.epp() for d in current_ds - wanted_ds))

    ensure_hosts(registry, domain.organisation, add_ns)
    if not (add_ns or rem_ns or add_contacts or add_status or rem_status or secdns):
        return Done(domain)

    command = epp.DomainUpdate(
        domain.name, add_nameservers=add_ns, rem_nameservers=rem_ns,
        add_contacts=add_contacts, rem_contacts=rem_contacts,
        add_statuses=add_status, rem_statuses=rem_status, secdns=secdns)

    def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
        if wanted_ns is not None:
            domain.nameservers = wanted_ns
        for field, contact in new_contacts.items():
            setattr(domain, field, contact)
        for key, on in locks.items():
            setattr(domain, LOCKS[key][0], on)
        statuses = (set(domain.statuses) | set(add_status)) - set(rem_status)
        domain.statuses = sorted(statuses)
        if ds_records is not None:
            domain.ds_records.all().delete()
            DSRecord.objects.bulk_create([
                DSRecord(domain=domain, key_tag=d.key_tag, algorithm=d.algorithm,
                         digest_type=d.digest_type, digest=d.digest.upper())
                for d in ds_records])
        return {"add_ns": add_ns, "rem_ns": rem_ns, "add_status": add_status,
                "rem_status": rem_status, "contacts": sorted(new_contacts),
                "ds": secdns is not None}

    def settle(domain: Domain, data: epp.DomainInfoData) -> bool | None:
        values = data.status_values
        if any(s not in values for s in add_status) or any(s in values for s in rem_status):
            return False
        held = {n if isinstance(n, str) else n.name for n in data.nameservers}
        return not (wanted_ns is not None and held != set(wanted_ns))

    done = run_free(domain=domain, actor=actor, operation=Operation.UPDATE,
                    what=str(_("update")), command=command, on_success=on_success,
                    settle=settle)
    return Done(done.domain, done.order, detail={"notice": notice}) if notice else done


def ds_following_delegation(domain: Domain, nameservers: list[str]
                            ) -> tuple[Sequence[DS] | None, str]:
    for _receiver, answer in delegation_changing.send(sender=Domain, domain=domain,
                                                      nameservers=nameservers):
        if answer is not None:
            given: tuple[Sequence[DS], Any] = answer  # type: ignore[assignment]
            return given[0], str(given[1])
    return None, ""
