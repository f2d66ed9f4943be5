"""Accurate contact data: email verification by a signed link (on creation and on every
change of address), a flag after ``verify_days`` without verification (and clientHold when
the policy says suspend), a yearly "is this still right?" with a one-click confirmation, and
the warnings a member sees when mail to their contacts fails."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation
from bureau.registrar.operations.common import Actor, EppOutcome
from bureau.registrar.operations.domainops import run_free
from bureau.registrar.operations.errors import OperationError

from . import conf
from .mail import Message, deliver, portal_path
from .models import ContactProfile, DeliveryFailure, Notice, NoticeKind

VERIFY_SALT = "bureau.notices.verify-email"
CONFIRM_SALT = "bureau.notices.confirm-data"
ACCURACY = Actor.system("contact-accuracy")


class LinkError(Exception):
    """A verification or confirmation link that cannot be used; the message says why."""


def profile_of(contact: Contact) -> ContactProfile:
    profile, _created = ContactProfile.objects.get_or_create(contact=contact)
    return profile


# --- email verification ------------------------------------------------------------------

def start_verification(contact: Contact, now: datetime | None = None) -> Notice | None:
    """Send a verification link to the contact's current address (once per address)."""
    now = now or clock.now()
    profile = profile_of(contact)
    if profile.email_verified or (profile.verification_email == contact.email
                                  and profile.verification_sent_at is not None):
        return None
    profile.nonce = secrets.token_hex(8)
    profile.verification_email = contact.email
    profile.verification_sent_at = now
    profile.save(update_fields=["nonce", "verification_email", "verification_sent_at"])
    return send_verification(contact, profile, now)


def send_verification(contact: Contact, profile: ContactProfile, now: datetime) -> Notice | None:
    token = signing.dumps({"c": contact.pk, "n": profile.nonce}, salt=VERIFY_SALT)
    return deliver(Message(
        key=f"verify-email:{contact.pk}:{profile.nonce}", kind=NoticeKind.VERIFY_EMAIL,
        template="verify_email", recipients=[contact.email], language=str(profile.language),
        context={"name": contact.name, "email": contact.email,
                 "url": f"{conf.portal_url()}/notices/verify/{token}/",
                 "until": now + timedelta(days=conf.verify_days())},
        contact=contact), now)


def verify_email(token: str, now: datetime | None = None) -> Contact:
    """Use a verification link. Raises LinkError: tampered, expired, or already used."""
    now = now or clock.now()
    try:
        data: dict[str, Any] = signing.loads(token, salt=VERIFY_SALT)
    except signing.BadSignature as exc:
        raise LinkError(_("This link is not valid: copy the whole link from the message.")) \
            from exc
    with transaction.atomic():
        profile = ContactProfile.objects.select_for_update().select_related("contact") \
            .filter(contact_id=int(data.get("c") or 0)).first()
        if profile is None or not profile.nonce or profile.nonce != data.get("n") \
                or profile.verification_email != profile.contact.email:
            raise LinkError(_("This link was already used or replaced by a newer one."))
        sent = profile.verification_sent_at
        if sent is None or now - sent > timedelta(days=conf.verify_days()):
            raise LinkError(_("This link expired: ask for a new one from your contact page."))
        contact = profile.contact
        profile.verified_email = contact.email
        profile.verified_at = now
        profile.nonce = ""
        profile.flagged_at = None
        profile.save()
        Contact.objects.filter(pk=contact.pk).update(verified_at=now)
        DeliveryFailure.objects.filter(address=contact.email.lower(), resolved_at=None) \
            .update(resolved_at=now)
    if profile.suspended:
        lift_suspension(profile)
    return contact


def resend_verification(contact: Contact, now: datetime | None = None) -> Notice | None:
    now = now or clock.now()
    profile = profile_of(contact)
    profile.verification_sent_at = None
    profile.save(update_fields=["verification_sent_at"])
    return start_verification(contact, now)


# --- the 15-day flag ---------------------------------------------------------------------

def holders() -> QuerySet[Contact]:
    return Contact.objects.filter(
        pk__in=Domain.objects.filter(state=DomainState.ACTIVE).values("registrant_id"))


def flag_unverified(now: datetime | None = None) -> list[ContactProfile]:
    """Flag holders not verified ``verify_days`` after the link was sent; start the
    verification of holders that never had a link (e.g. contacts from before this app)."""
    now = now or clock.now()
    for contact in holders().exclude(profile__verification_sent_at__isnull=False):
        start_verification(contact, now)
    limit = now - timedelta(days=conf.verify_days())
    flagged = []
    for profile in ContactProfile.objects.filter(
            flagged_at=None, verification_sent_at__lte=limit, contact__in=holders()) \
            .exclude(verified_at__isnull=False, verified_email=F("contact__email")) \
            .select_related("contact"):
        if profile.email_verified:
            continue
        profile.flagged_at = now
        profile.save(update_fields=["flagged_at"])
        flagged.append(profile)
        suspended = conf.contact_policy() == "suspend"
        if suspended:
            suspend(profile)
        notify_flagged(profile, suspended, now)
    return flagged


def notify_flagged(profile: ContactProfile, suspended: bool, now: datetime) -> Notice | None:
    """Tell the organisation's people (their login addresses work) and the holder."""
    contact = profile.contact
    people = [m.user.email for m in contact.organisation.memberships.select_related("user")
              if m.role in ("owner", "admin") and m.user.email]
    recipients = list(dict.fromkeys([*people, contact.email]))
    names = [d.u_label for d in Domain.objects.filter(state=DomainState.ACTIVE,
                                                      registrant=contact)]
    return deliver(Message(
        key=f"contact-flagged:{contact.pk}:{profile.verification_email}",
        kind=NoticeKind.CONTACT_FLAGGED, template="contact_flagged", recipients=recipients,
        language=str(profile.language), contact=contact,
        context={"contact": contact, "domains": names, "suspended": suspended,
                 "url": conf.portal_url() + portal_path("web:contacts", None, "/contacts/")}),
        now)


def flagged_domains() -> QuerySet[Domain]:
    """What the operator reviews: names whose holder did not verify in time."""
    return Domain.objects.filter(state=DomainState.ACTIVE,
                                 registrant__profile__flagged_at__isnull=False) \
        .select_related("registrant", "organisation").order_by("name")


def set_hold(domain: Domain, on: bool) -> None:
    """clientHold on or off through the registrar's update skeleton (recorded in history)."""
    status = "clientHold"
    if (status in domain.statuses) == on:
        return
    command = epp.DomainUpdate(domain.name, add_statuses=[status] if on else [],
                               rem_statuses=[] if on else [status])

    def on_success(domain: Domain, _outcome: EppOutcome) -> dict[str, Any]:
        values = set(domain.statuses)
        domain.statuses = sorted(values | {status} if on else values - {status})
        return {"add_status" if on else "rem_status": [status],
                "reason": "contact data not verified" if on else "contact data verified"}

    def settle(domain: Domain, data: epp.DomainInfoData) -> bool | None:
        return (status in data.status_values) == on

    run_free(domain=domain, actor=ACCURACY, operation=Operation.UPDATE,
             what=str(_("suspension") if on else _("end of suspension")), command=command,
             on_success=on_success, settle=settle)


def suspend(profile: ContactProfile) -> None:
    for domain in Domain.objects.filter(state=DomainState.ACTIVE, registrant=profile.contact) \
            .select_related("tld__registry"):
        try:
            set_hold(domain, True)
        except OperationError:
            continue
    ContactProfile.objects.filter(pk=profile.pk).update(suspended=True)


def lift_suspension(profile: ContactProfile) -> None:
    for domain in Domain.objects.filter(state=DomainState.ACTIVE, registrant=profile.contact) \
            .select_related("tld__registry"):
        set_hold(domain, False)
    ContactProfile.objects.filter(pk=profile.pk).update(suspended=False)


# --- yearly confirmation -----------------------------------------------------------------

def send_yearly_checks(now: datetime | None = None) -> list[Notice]:
    now = now or clock.now()
    every = timedelta(days=conf.confirm_every_days())
    sent = []
    asked = Notice.objects.filter(contact=OuterRef("pk"), kind=NoticeKind.YEARLY_CHECK,
                                  created_at__gte=OuterRef("last"))
    contacts_due = holders().annotate(
        last=Coalesce("profile__confirmed_at", "profile__verified_at", "created_at"),
    ).filter(last__lte=now - every).exclude(Exists(asked))
    for contact in contacts_due.order_by("pk"):
        profile = profile_of(contact)
        last = profile.confirmed_at or profile.verified_at or contact.created_at
        if last + every > now:
            continue
        due = (last + every).date().isoformat()
        token = signing.dumps({"c": contact.pk, "d": due}, salt=CONFIRM_SALT)
        names = [d.u_label for d in Domain.objects.filter(state=DomainState.ACTIVE,
                                                          registrant=contact)]
        notice = deliver(Message(
            key=f"yearly-check:{contact.pk}:{due}", kind=NoticeKind.YEARLY_CHECK,
            template="yearly_check", recipients=[contact.email],
            language=str(profile.language), contact=contact,
            context={"contact": contact, "domains": names,
                     "url": f"{conf.portal_url()}/notices/confirm/{token}/"}), now)
        if notice is not None:
            sent.append(notice)
    return sent


def confirm_data(token: str, now: datetime | None = None) -> Contact:
    """One click: the holder says the data is still right."""
    now = now or clock.now()
    try:
        data: dict[str, Any] = signing.loads(token, salt=CONFIRM_SALT)
    except signing.BadSignature as exc:
        raise LinkError(_("This link is not valid: copy the whole link from the message.")) \
            from exc
    profile = ContactProfile.objects.select_related("contact").filter(
        contact_id=int(data.get("c") or 0)).first()
    if profile is None:
        raise LinkError(_("This link is not valid: copy the whole link from the message."))
    profile.confirmed_at = now
    profile.save(update_fields=["confirmed_at"])
    return profile.contact


# --- what the member sees ----------------------------------------------------------------

def contact_warnings(organisation: Organisation) -> list[str]:
    """"Your contact data may be wrong": refused or bounced mail, unverified addresses."""
    warnings = []
    contacts = list(Contact.objects.filter(organisation=organisation))
    addresses = {c.email.lower(): c for c in contacts}
    failures = DeliveryFailure.objects.filter(address__in=list(addresses), resolved_at=None)
    for failure in failures.order_by("address", "-at"):
        contact = addresses[failure.address]
        warning = _("Mail to %(email)s (%(name)s) could not be delivered on %(date)s: your "
                    "contact data may be wrong. Check the address, then verify it again.") % {
            "email": contact.email, "name": contact.name, "date": failure.at.date().isoformat()}
        if warning not in warnings:
            warnings.append(warning)
    for contact in contacts:
        profile = ContactProfile.objects.filter(contact=contact).first()
        if profile is not None and not profile.email_verified:
            warnings.append(_("The address %(email)s of %(name)s is not verified yet: follow "
                              "the link we sent to it.") % {"email": contact.email,
                                                            "name": contact.name})
    return warnings
