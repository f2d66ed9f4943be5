"""Pieces every operation uses: who acts, recording history, calling the registry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.registrar.accounts.models import Organisation, Role
from bureau.registrar.billing.models import Order
from bureau.registrar.domains.models import Domain, DomainEvent
from bureau.registrar.domains.names import split_tld, to_a_label
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry, Tld

from .errors import InvalidName, NotAllowed, TldNotSold

logger = logging.getLogger("bureau.registrar.operations")


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (``user``) or a part of Bureau (``label``: "poll", "reconcile")."""

    user: User | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(None, label)


@dataclass(frozen=True)
class EppOutcome:
    """What came back from one command: a response, a refusal, or nothing (unknown)."""

    response: epp.Response | None = None
    failure: epp.CommandFailed | None = None
    unknown: epp.OutcomeUnknown | None = None

    @property
    def cl_trid(self) -> str:
        if self.response is not None:
            return self.response.cltrid or ""
        if self.failure is not None:
            return self.failure.response.cltrid or ""
        if self.unknown is not None:
            return self.unknown.cltrid or ""
        return ""

    @property
    def sv_trid(self) -> str:
        if self.response is not None:
            return self.response.svtrid
        if self.failure is not None:
            return self.failure.response.svtrid
        return ""

    @property
    def code(self) -> int | None:
        if self.response is not None:
            return self.response.code
        if self.failure is not None:
            return int(self.failure.code)
        return None

    @property
    def message(self) -> str:
        if self.failure is not None:
            return str(self.failure)
        if self.unknown is not None:
            return str(self.unknown)
        return self.response.message if self.response is not None else ""


def send(registry: Registry, command: epp.Command) -> EppOutcome:
    """Send a command; a refusal or a lost answer comes back as data, not as an exception.
    Connection errors (command certainly not sent) propagate: nothing happened."""
    try:
        return EppOutcome(response=connection.execute(registry, command))
    except epp.CommandFailed as exc:
        return EppOutcome(failure=exc)
    except epp.OutcomeUnknown as exc:
        logger.warning("EPP outcome unknown for %s at %s: %s", type(command).__name__,
                       registry, exc)
        return EppOutcome(unknown=exc)


def record(*, domain: Domain | None, name: str, actor: Actor, operation: str, outcome: str,
           epp_outcome: EppOutcome | None = None, order: Order | None = None,
           message: str = "", detail: dict[str, Any] | None = None) -> DomainEvent:
    """Append one event to the domain's history."""
    return DomainEvent.objects.create(
        domain=domain,
        domain_name=name,
        actor=actor.user,
        actor_label=actor.label,
        operation=operation,
        outcome=outcome,
        cl_trid=epp_outcome.cl_trid if epp_outcome else "",
        sv_trid=epp_outcome.sv_trid if epp_outcome else "",
        result_code=epp_outcome.code if epp_outcome else None,
        message=message or (epp_outcome.message if epp_outcome else ""),
        detail=detail or {},
        order=order,
    )


def verify_role(organisation: Organisation, actor: Actor, roles: frozenset[Role]) -> None:
    if actor.user is None:
        return  # Bureau's own jobs act for everyone
    if not organisation.allows(actor.user, roles):
        raise NotAllowed(
            _("Your role in %(org)s does not allow this; ask one of its owners or "
              "administrators.") % {"org": organisation.name}
        )


def parse_name(name: str) -> str:
    try:
        return to_a_label(name)
    except ValidationError as exc:
        raise InvalidName(" ".join(exc.messages)) from exc


def verify_tld_sold(a_label: str) -> Tld:
    _label, tld_name = split_tld(a_label)
    tld = Tld.objects.select_related("registry").filter(name=tld_name, is_active=True).first()
    if tld is None:
        raise TldNotSold(
            _("Bureau does not sell names ending in .%(tld)s yet.") % {"tld": tld_name}
        )
    return tld
