"""Organisations and their people: create, invite (and send the invitation), withdraw an
invitation, accept, change role, remove, require 2FA.

Each function takes an ``Actor``, checks its role against the permission map and the
organisation's 2FA requirement, and records a security event naming the door. Changing
someone's role, removing someone else and lifting the 2FA requirement are sensitive: they
need a recent credential (``bureau.core.credentials``). Errors: ``MemberError`` (with
``field``) carries a message a person can act on. The portal, the API and the `bureau`
command call these same functions: an invitation is emailed whichever door made it.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.core.credentials import Kind, require_recent_authentication
from bureau.registrar.accounts.models import Membership, Organisation, OrganisationPolicy, Role
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAllowed, OperationError

from ..models import EventKind, Invitation, token_digest
from .common import person, record_by, verify_may

logger = logging.getLogger("bureau.audit")


class MemberError(OperationError):
    pass


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_organisation(*, actor: Actor, name: str) -> Organisation:
    """A new organisation with the acting person as its owner."""
    user = person(actor, _("An organisation"))
    organisation = Organisation.objects.create(name=name.strip(), slug=unique_slug(name))
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    record_by(EventKind.ORGANISATION_CREATED, actor, organisation,
              {"name": organisation.name})
    return organisation


def verify_role_grantable(organisation: Organisation, actor: Actor, role: str) -> None:
    if role not in Role.values:
        raise MemberError(_("Choose one of the roles listed: %(roles)s.")
                          % {"roles": ", ".join(Role.values)}, field="role")
    if role == Role.OWNER:
        verify_may(organisation, actor, Permission.MANAGE_OWNERS)


def invitation_language(language: str | None) -> str:
    """The language the invitation is written in: the one asked for if Bureau speaks it,
    else the language of the person inviting (the active one), else the site's."""
    known = [code for code, _name in settings.LANGUAGES]
    for candidate in (language, translation.get_language(), settings.LANGUAGE_CODE):
        if candidate and candidate.split("-")[0] in known:
            return candidate.split("-")[0]
    return known[0]


def accept_link(invitation: Invitation, site: str | None = None) -> str:
    """The portal's accept page for ``invitation``, as an absolute URL: on ``site`` (the
    address the person inviting reached the portal at), or ``BUREAU_PORTAL_URL`` (the API,
    commands, jobs)."""
    assert invitation.token, "the link is made when the invitation is, never later"
    path = reverse("web:accept_invitation", args=[invitation.token])
    base = site or str(getattr(settings, "BUREAU_PORTAL_URL", "http://127.0.0.1:8000"))
    return base.rstrip("/") + path


def send_invitation(invitation: Invitation, *, inviter: Any, language: str,
                    site: str | None = None) -> None:
    """Email the invitation (plain text and HTML) in ``language``. A mail server that
    refuses or cannot be reached raises ``MemberError`` on ``email``."""
    with translation.override(language):
        context = {
            "organisation": invitation.organisation.name,
            "inviter": (getattr(inviter, "email", "") or str(inviter)) if inviter else "Bureau",
            "role": invitation.get_role_display(),
            "link": accept_link(invitation, site),
            "expires_at": invitation.expires_at,
            "LANGUAGE_CODE": language,
        }
        subject = " ".join(render_to_string("audit/email/invitation.subject.txt",
                                            context).split())
        text = render_to_string("audit/email/invitation.txt", context)
        html = render_to_string("audit/email/invitation.html", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL,
                                         [invitation.email],
                                         headers={"Content-Language": language})
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("invitation to %s for organisation %s not sent: %s",
                           invitation.email, invitation.organisation_id, exc)
            raise MemberError(_("The invitation could not be emailed to %(email)s, so it was "
                                "not kept. Check the address, or try again in a few minutes.")
                              % {"email": invitation.email}, field="email") from exc


@transaction.atomic
def invite(*, organisation: Organisation, actor: Actor, email: str, role: str,
           language: str | None = None, site: str | None = None) -> Invitation:
    """Invite ``email`` to ``organisation`` with ``role`` and email them the link to accept
    (in ``language``, by default the inviting person's). The invitation is kept only if the
    email could be handed to the mail server. ``site``: the portal's address the link names
    (``accept_link``)."""
    verify_may(organisation, actor, Permission.MANAGE_MEMBERS)
    verify_role_grantable(organisation, actor, role)
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise MemberError(_("%(email)s is already a member of %(org)s.")
                          % {"email": email, "org": organisation.name}, field="email")
    language = invitation_language(language)
    invitation = Invitation.objects.create(organisation=organisation, email=email, role=role,
                                           invited_by=actor.user)
    record_by(EventKind.MEMBER_INVITED, actor, organisation,
              {"email": email, "role": role, "language": language})
    # Last, inside the transaction: a mail that cannot be sent undoes the invitation.
    send_invitation(invitation, inviter=actor.user, language=language, site=site)
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, actor: Actor) -> Invitation:
    """Withdraw an invitation not yet accepted: its link stops working at once. Withdrawing
    twice changes nothing; an accepted invitation cannot be withdrawn (remove the person)."""
    invitation = Invitation.objects.select_for_update().select_related("organisation") \
        .get(pk=invitation.pk)
    verify_may(invitation.organisation, actor, Permission.MANAGE_MEMBERS)
    if invitation.accepted_at is not None:
        raise MemberError(_("%(email)s has already accepted this invitation: remove the "
                            "person from the organisation instead.")
                          % {"email": invitation.email})
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = clock.now()
    invitation.save(update_fields=["revoked_at"])
    record_by(EventKind.INVITATION_WITHDRAWN, actor, invitation.organisation,
              {"email": invitation.email, "role": invitation.role})
    return invitation


def open_invitation(token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("organisation") \
        .filter(token_hash=token_digest(token)).first()
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def accept(*, invitation: Invitation, actor: Actor) -> Membership:
    """The invited person joins. The link is the secret; the account's address must match."""
    user = person(actor, _("An invitation"))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise MemberError(_("This invitation was used, withdrawn or has expired: ask for a "
                            "new one."))
    if user.email.lower() != invitation.email.lower():
        raise MemberError(_("This invitation was sent to %(email)s: log in with that address "
                            "to accept it.") % {"email": invitation.email})
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role})
    invitation.accepted_at = clock.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_by(EventKind.MEMBER_JOINED, actor, invitation.organisation,
              {"role": membership.role})
    return membership


def verify_keeps_an_owner(membership: Membership, new_role: str | None) -> None:
    if membership.role == Role.OWNER and new_role != Role.OWNER:
        owners = membership.organisation.memberships.filter(role=Role.OWNER).count()
        if owners <= 1:
            raise MemberError(_("An organisation keeps at least one owner: name another owner "
                                "first."), field="role")


@transaction.atomic
def change_role(*, membership: Membership, actor: Actor, role: str) -> Membership:
    organisation = membership.organisation
    verify_may(organisation, actor, Permission.MANAGE_MEMBERS)
    verify_role_grantable(organisation, actor, role)
    if membership.role == Role.OWNER:
        verify_may(organisation, actor, Permission.MANAGE_OWNERS)
    verify_keeps_an_owner(membership, role)
    old = membership.role
    if old == role:
        return membership
    require_recent_authentication(actor.credential)
    membership.role = role
    membership.save(update_fields=["role"])
    record_by(EventKind.ROLE_CHANGED, actor, organisation,
              {"person": membership.user.email, "from": old, "to": role})
    return membership


@transaction.atomic
def remove(*, membership: Membership, actor: Actor) -> None:
    organisation = membership.organisation
    leaving = actor.user is not None and membership.user_id == actor.user.pk
    if not leaving:  # leaving is always allowed (but not the last owner)
        verify_may(organisation, actor, Permission.MANAGE_MEMBERS)
        if membership.role == Role.OWNER:
            verify_may(organisation, actor, Permission.MANAGE_OWNERS)
    verify_keeps_an_owner(membership, None)
    if not leaving:
        require_recent_authentication(actor.credential)
    record_by(EventKind.MEMBER_REMOVED, actor, organisation,
              {"person": membership.user.email, "role": membership.role})
    membership.delete()


def policy_of(organisation: Organisation) -> OrganisationPolicy:
    policy, _created = OrganisationPolicy.objects.get_or_create(organisation=organisation)
    return policy


@transaction.atomic
def set_require_2fa(*, organisation: Organisation, actor: Actor,
                    required: bool) -> OrganisationPolicy:
    verify_may(organisation, actor, Permission.MANAGE_SECURITY)
    credential = actor.credential
    if credential is not None and credential.kind is Kind.TOKEN:
        # A token copied somewhere must not be able to lift the requirement that protects
        # the organisation; nor turn it on behind its people's backs.
        raise NotAllowed(_("Change the security policy logged in, not with an API token."))
    policy = policy_of(organisation)
    if policy.require_2fa and not required:  # lifting it is what an intruder would do
        require_recent_authentication(credential)
    if policy.require_2fa != required:
        policy.require_2fa = required
        policy.save(update_fields=["require_2fa"])
        record_by(EventKind.POLICY_CHANGED, actor, organisation, {"require_2fa": required})
    return policy
