"""What the account operations share: who may act, and the security event they leave."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.permissions import Permission, allows
from bureau.registrar.operations.common import Actor, verify_second_factor
from bureau.registrar.operations.errors import NotAllowed

from ..log import record
from ..models import SecurityEvent


def verify_may(organisation: Organisation, actor: Actor, permission: Permission) -> str | None:
    """The actor's role in ``organisation`` (None for Bureau's operator, who may act for
    every organisation), refused unless it has ``permission`` and the actor meets the
    organisation's 2FA requirement."""
    if actor.user is None:
        return None
    role = organisation.role_of(actor.user)
    if not allows(role, permission):
        raise NotAllowed(_("Your role in %(org)s does not allow this; ask one of its owners.")
                         % {"org": organisation.name})
    verify_second_factor(organisation, actor)
    return role


def person(actor: Actor, what: Any) -> Any:
    """The person an operation acts for (an organisation's creator, a token's owner): an
    operator must name one."""
    if actor.user is None:
        raise NotAllowed(_("%(what)s belongs to a person: act as one (the command's --as).")
                         % {"what": what})
    return actor.user


def record_by(kind: str, actor: Actor, organisation: Organisation | None,
              detail: dict[str, Any]) -> SecurityEvent:
    """The security event of an operation: who, from where, through which door."""
    return record(kind, user=actor.user, organisation=organisation, ip_address=actor.ip,
                  user_agent=actor.user_agent, identifier="" if actor.user else actor.label,
                  detail={"via": actor.label, **detail})
