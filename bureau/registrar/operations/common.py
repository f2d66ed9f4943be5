"""Pieces every operation uses: who acts, recording history, calling the registry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from bureau import epp
from bureau.core.credentials import Credential
from bureau.core.validators import describe, forbidden_character
from bureau.registrar.accounts.models import Organisation, Role
from bureau.registrar.accounts.policy import lacks_required_2fa
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Domain, DomainEvent, Operation, Outcome
from bureau.registrar.domains.names import split_tld, to_a_label, to_new_a_label
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry, Tld

from .errors import (
    CommandInvalid,
    InvalidName,
    NotAllowed,
    OperationError,
    OutcomePending,
    TldNotSold,
    TwoFactorRequired,
)

logger = logging.getLogger("bureau.registrar.operations")
OPEN_STATES = (OrderState.PENDING, OrderState.UNKNOWN)


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (``user``) or a part of Bureau (``label``: "poll", "reconcile").

    ``label`` also says through which door a person acts ("portal", "api-token:…", "cli"),
    and ``ip``/``user_agent`` where from, for the security log. ``credential`` says how the
    person proved who they are: sensitive operations ask for a recent one
    (``bureau.core.credentials``)."""

    user: User | None = None
    label: str = ""
    ip: str | None = None
    user_agent: str = ""
    credential: Credential | None = None

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(None, label, credential=Credential.console())

    @classmethod
    def console(cls, user: User | None, via: str = "cli") -> Actor:
        """A person (or, without one, Bureau's operator) acting from the server's console:
        the `bureau` command, which asks no password again."""
        if user is None:
            return cls(None, "operator", credential=Credential.console())
        return cls(user, via, credential=Credential.console())

    @classmethod
    def of_session(cls, request: Any, via: str) -> Actor:
        """The person logged in to ``request``'s session, at the door ``via``, from where,
        with the session's credential."""
        return cls(request.user, via, ip=request.META.get("REMOTE_ADDR") or None,
                   user_agent=request.META.get("HTTP_USER_AGENT", ""),
                   credential=Credential.of_session(request))


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


def frame_problem(command: epp.Command) -> str | None:
    """What keeps the command's frame from being sent (built, then validated against the
    EPP schemas), or None when it can be sent."""
    try:
        epp.validate(command.to_xml("BUREAU-FRAME-CHECK"))
    except epp.SchemaError as exc:
        return str(exc)
    except ValueError:  # lxml refuses control characters and other non-XML characters
        return str(_("a value holds control characters or other characters that cannot "
                     "be sent"))
    return None


def verify_frame(command: epp.Command, what: StrOrPromise, field: str | None = None) -> None:
    """Refuse, before any order is placed, a command that cannot be sent: nothing charged
    and nothing blocked."""
    problem = frame_problem(command)
    if problem is not None:
        raise CommandInvalid(
            _("This %(what)s cannot be sent to the registry (%(problem)s). Nothing was "
              "charged: correct it and try again.") % {"what": what, "problem": problem},
            field=field)


def send_or_close(registry: Registry, command: epp.Command,
                  not_sent: Callable[[str], None]) -> EppOutcome:
    """Send the command an order pays for. The connection failing before it left (nothing
    happened at the registry) closes the order through ``not_sent`` (credited back), and the
    error goes on."""
    try:
        return send(registry, command)
    except epp.EPPConnectionError as exc:
        not_sent(f"the registry could not be reached, nothing was sent: {exc}")
        raise


@contextmanager
def order_at_stake(order: Order, *, domain: Domain | None, name: str, actor: Actor,
                   operation: str) -> Iterator[None]:
    """Around everything after an order is committed. A refusal passes through; any other
    error (a bug, a database hiccup, a registry lost mid-way) leaves the outcome unknown —
    recorded in the history, the order marked for the reconciliation, the person told —
    never a server error with money held. An order already closed (done, or credited back)
    lets the error through as it is: nothing is held then."""
    try:
        yield
    except OperationError:
        raise
    except Exception as exc:
        if not Order.objects.filter(pk=order.pk, state__in=OPEN_STATES).exists():
            raise
        logger.exception("unexpected error after order %s (%s %s) was placed", order.pk,
                         operation, name)
        reason = f"unexpected error after the order was placed: {type(exc).__name__}: {exc}"
        try:
            with transaction.atomic():
                record(domain=domain, name=name, actor=actor, operation=operation,
                       outcome=Outcome.UNKNOWN, order=order, message=reason[:2000])
                orders.mark_unknown(order, message=reason)
        except Exception:  # the order stays open: the reconciliation finds it all the same
            logger.exception("order %s left open for the reconciliation", order.pk)
        raise OutcomePending(
            _("Something went wrong after your order for %(name)s was placed. Bureau will "
              "check with the registry and settle it: you will not be charged twice. Do not "
              "order it again.") % {"name": domain.u_label if domain is not None else name}
        ) from exc


# Sent after the commit of each success of these operations, whichever door or job did it
# (keyword: event, the DomainEvent): notices tells the holder (bureau.notices.changes). Never
# sent for a change that is rolled back; a failing receiver is logged.
domain_changed = Signal()
ANNOUNCED = frozenset({Operation.CREATE, Operation.RENEW, Operation.TRANSFER_IN,
                       Operation.TRANSFER_OUT, Operation.TRANSFER_APPROVE, Operation.DELETE})


def announce_changed(event: DomainEvent) -> None:
    def send() -> None:
        for receiver, result in domain_changed.send_robust(sender=DomainEvent, event=event):
            if isinstance(result, Exception):
                logger.error("after %s of %s, %r failed: %s", event.operation,
                             event.domain_name, receiver, result, exc_info=result)

    transaction.on_commit(send)


def record(*, domain: Domain | None, name: str, actor: Actor, operation: str, outcome: str,
           epp_outcome: EppOutcome | None = None, order: Order | None = None,
           message: str = "", detail: dict[str, Any] | None = None) -> DomainEvent:
    """Append one event to the domain's history (and announce the changes holders hear of)."""
    event = DomainEvent.objects.create(
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
    if outcome == Outcome.SUCCESS and operation in ANNOUNCED and domain is not None:
        announce_changed(event)
    return event


def domain_and_actor(domain_id: int, user_id: int) -> tuple[Domain, Actor]:
    """For jobs, which pass ids: the domain and the person acting. Jobs run on the server,
    queued by Bureau itself: their credential is the console's."""
    return Domain.objects.get(pk=domain_id), Actor(User.objects.get(pk=user_id),
                                                   credential=Credential.console())


def verify_second_factor(organisation: Organisation, actor: Actor) -> None:
    """The organisation's 2FA requirement, whichever door the person came through."""
    if actor.user is not None and lacks_required_2fa(actor.user, organisation):
        raise TwoFactorRequired(_("%(org)s requires two-factor authentication: set up a "
                                  "second factor first.") % {"org": organisation.name})


def verify_role(organisation: Organisation, actor: Actor, roles: frozenset[Role]) -> None:
    """The one check of who may act on an organisation's names, contacts and zones: a role
    that allows it, and the organisation's 2FA requirement met."""
    if actor.user is None:
        return  # Bureau's own jobs act for everyone
    if not organisation.allows(actor.user, roles):
        raise NotAllowed(
            _("Your role in %(org)s does not allow this; ask one of its owners or "
              "administrators.") % {"org": organisation.name}
        )
    verify_second_factor(organisation, actor)


def parse_name(name: str) -> str:
    try:
        return to_a_label(name)
    except ValidationError as exc:
        raise InvalidName(" ".join(exc.messages)) from exc


def parse_new_name(name: str) -> str:
    """``parse_name`` for a name entering Bureau: each label in one script too."""
    try:
        return to_new_a_label(name)
    except ValidationError as exc:
        raise InvalidName(" ".join(exc.messages)) from exc


def verify_printable(value: str, what: StrOrPromise, field: str) -> None:
    """Refuse, before anything is charged, a text the registry's XML could not carry, naming
    the character and where it is (``verify_frame`` would only say that one is there)."""
    found = forbidden_character(value)
    if found is None:
        return
    problem = _("it holds an invisible control character, %(character)s, at character "
                "%(position)s") % {"character": describe(found[1]), "position": found[0]}
    raise CommandInvalid(
        _("This %(what)s cannot be sent to the registry (%(problem)s). Nothing was "
          "charged: correct it and try again.") % {"what": what, "problem": problem},
        field=field)


def verify_tld_sold(a_label: str) -> Tld:
    _label, tld_name = split_tld(a_label)
    tld = Tld.objects.select_related("registry").filter(name=tld_name, is_active=True).first()
    if tld is None:
        raise TldNotSold(
            _("Bureau does not sell names ending in .%(tld)s yet.") % {"tld": tld_name}
        )
    return tld


def status_reasons(data: epp.DomainInfoData) -> dict[str, list[str]]:
    """The free text the registry gives with statuses: status -> [text, language or ""]."""
    return {s.value: [s.reason, s.lang or ""] for s in data.statuses if s.reason}
