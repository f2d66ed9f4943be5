"""Accurate contact data: email verification by a signed link (on creation and on every
change of address), a flag after ``verify_days`` without verification (and clientHold when
the policy says suspend), a yearly "is this still right?" with a one-click confirmation, and
the warnings a member sees when mail to their contacts fails."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.accounts.models import (
    Membership,
    Organisation,
    PersonPreferences,
    Role,
    language_of_person,
)
from bureau.registrar.accounts.permissions import PERMISSIONS, Permission
from bureau.registrar.contacts.models import Contact, ContactHandle
from bureau.registrar.domains.models import Domain, DomainState, Operation
from bureau.registrar.operations.common import Actor, EppOutcome, send, verify_role
from bureau.registrar.operations.domainops import run_free
from bureau.registrar.operations.errors import OperationError, WrongState

from . import conf
from .mail import Message, deliver, portal_path, record_failure
from .models import ContactProfile, DeliveryFailure, Notice, NoticeKind

VERIFY_SALT = "bureau.notices.verify-email"
CONFIRM_SALT = "bureau.notices.confirm-data"
ACCURACY = Actor.system("contact-accuracy")


class LinkError(Exception):
    """A verification or confirmation link that cannot be used; the message says why."""


class LinkExpired(LinkError):
    """Out of date but otherwise right: a new one may be sent to the same address."""


def profile_of(contact: Contact) -> ContactProfile:
    profile = ContactProfile.objects.filter(contact=contact).first()
    if profile is None:
        profile, _created = ContactProfile.objects.get_or_create(
            contact=contact, defaults={"language": first_language(contact)})
    return profile


def first_language(contact: Contact) -> str:
    """A new contact's notices are in the language its own person chose for their emails
    (the organisation's person with this address), else its owner's choice, else Bureau's."""
    people = Membership.objects.filter(organisation_id=contact.organisation_id) \
        .select_related("user").order_by("pk")
    same = [m.user for m in people if m.user.email.lower() == contact.email.lower()]
    owners = [m.user for m in people if m.role == Role.OWNER]
    for person in same + owners:
        if PersonPreferences.objects.filter(user=person).exists():
            return language_of_person(person)
    return str(settings.LANGUAGE_CODE)


# --- email verification ------------------------------------------------------------------

def start_verification(contact: Contact, now: datetime | None = None) -> Notice | None:
    """Send a verification link to the contact's current address (once per address)."""
    now = now or clock.now()
    profile = profile_of(contact)
    if profile.email_verified or (profile.verification_email == contact.email
                                  and profile.verification_sent_at is not None):
        return None
    if proven_by_a_member(contact):
        mark_verified(profile, now)
        return None
    profile.nonce = secrets.token_hex(8)
    profile.verification_email = contact.email
    profile.verification_sent_at = now
    # A new address (or a bounce) starts a new count: the flag is armed again.
    profile.flagged_at = None
    profile.save(update_fields=["nonce", "verification_email", "verification_sent_at",
                                "flagged_at"])
    return send_verification(contact, profile, now)


def proven_by_a_member(contact: Contact) -> bool:
    """Whether a person of the contact's organisation already confirmed this address for
    their account: the holder's address is then not confirmed a second time."""
    return EmailAddress.objects.filter(
        email__iexact=contact.email, verified=True,
        user__memberships__organisation_id=contact.organisation_id).exists()


def mark_verified(profile: ContactProfile, now: datetime) -> None:
    contact = profile.contact
    profile.verified_email = contact.email
    profile.verified_at = now
    profile.verification_email = contact.email
    profile.nonce = ""
    profile.flagged_at = None
    profile.save(update_fields=["verified_email", "verified_at", "verification_email",
                                "nonce", "flagged_at"])
    Contact.objects.filter(pk=contact.pk).update(verified_at=now)
    if profile.suspended:
        lift_suspension(profile)


def send_verification(contact: Contact, profile: ContactProfile, now: datetime) -> Notice | None:
    token = signing.dumps({"c": contact.pk, "n": profile.nonce}, salt=VERIFY_SALT)
    return deliver(Message(
        key=f"verify-email:{contact.pk}:{profile.nonce}", kind=NoticeKind.VERIFY_EMAIL,
        template="verify_email", recipients=[contact.email], language=str(profile.language),
        context={"name": contact.name, "email": contact.email,
                 "url": f"{conf.portal_url()}/notices/verify/{token}/",
                 "until": now + timedelta(days=conf.verify_days())},
        contact=contact), now)


def address_of(token: str) -> str:
    """The address a verification link confirms, to name it before it is used ("" when the
    link is not valid or no longer current; using it says why)."""
    try:
        data: dict[str, Any] = signing.loads(token, salt=VERIFY_SALT)
    except signing.BadSignature:
        return ""
    profile = ContactProfile.objects.filter(contact_id=int(data.get("c") or 0)).first()
    if profile is None or not profile.nonce or profile.nonce != data.get("n"):
        return ""
    return str(profile.verification_email)


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
            raise LinkExpired(_("This link expired: ask for a new one below, or from your "
                                "contacts page."))
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


def new_link_for(token: str, now: datetime | None = None) -> Contact:
    """From an expired verification link: a new link to the same address (the holder may not
    be a member of the portal). Only the last link sent, and only once it expired."""
    now = now or clock.now()
    try:
        data: dict[str, Any] = signing.loads(token, salt=VERIFY_SALT)
    except signing.BadSignature as exc:
        raise LinkError(_("This link is not valid: copy the whole link from the message.")) \
            from exc
    profile = ContactProfile.objects.select_related("contact") \
        .filter(contact_id=int(data.get("c") or 0)).first()
    if profile is None or not profile.nonce or profile.nonce != data.get("n") \
            or profile.verification_email != profile.contact.email:
        raise LinkError(_("This link was already used or replaced by a newer one."))
    sent = profile.verification_sent_at
    if sent is not None and now - sent <= timedelta(days=conf.verify_days()):
        raise LinkError(_("This link still works: use it."))
    resend_verification(profile.contact, now)
    return profile.contact


def resend_verification(contact: Contact, now: datetime | None = None) -> Notice | None:
    """A new link (the old one dies). A flag already raised stays until the address is
    verified: asking for a link does not lift a suspension."""
    now = now or clock.now()
    profile = profile_of(contact)
    flagged = profile.flagged_at
    profile.verification_sent_at = None
    profile.save(update_fields=["verification_sent_at"])
    notice = start_verification(contact, now)
    if flagged is not None:
        ContactProfile.objects.filter(pk=profile.pk).update(flagged_at=flagged)
    return notice


def request_new_link(*, contact: Contact, actor: Actor, now: datetime | None = None) -> Notice:
    """The member asks for a new verification link from their contacts page (the link
    expired, or the mail was missed). Members of the contact's organisation only."""
    verify_role(contact.organisation, actor, PERMISSIONS[Permission.MANAGE_CONTACTS])
    profile = profile_of(contact)
    if profile.email_verified:
        raise WrongState(_("%(email)s is already verified.") % {"email": contact.email})
    now = now or clock.now()
    notice = resend_verification(contact, now)
    if notice is None:
        raise WrongState(_("The link could not be sent to %(email)s: check the address.")
                         % {"email": contact.email})
    return notice


def record_bounce(address: str, reason: str, now: datetime | None = None) -> DeliveryFailure:
    """Mail to ``address`` bounced: the contacts using it are no longer verified and a new
    verification starts (the flag clock runs again); verifying, or correcting the address,
    clears the warning."""
    now = now or clock.now()
    failure = record_failure(address, "bounce", reason, now)
    for contact in Contact.objects.filter(email__iexact=address.strip()):
        profile = profile_of(contact)
        ContactProfile.objects.filter(pk=profile.pk).update(verified_at=None)
        Contact.objects.filter(pk=contact.pk).update(verified_at=None)
        resend_verification(contact, now)
    return failure


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
    """Tell the holder."""
    contact = profile.contact
    # The holder only: their data is what is checked (the portal shows it to the members).
    recipients = [contact.email]
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

def registry_copies(contact: Contact) -> list[dict[str, str]]:
    """What each registry holds about the contact, asked by EPP (<contact:info>): the yearly
    check shows this, not Bureau's copy. A registry that does not answer says so."""
    copies = []
    for handle in ContactHandle.objects.filter(contact=contact).select_related("registry") \
            .order_by("registry__name"):
        outcome = send(handle.registry, epp.ContactInfo(handle.handle))
        row = {"registry": handle.registry.name, "handle": handle.handle}
        if outcome.response is None:
            row["error"] = str(_("The registry did not answer; look again later."))
            copies.append(row)
            continue
        data: epp.ContactInfoData = outcome.response.data
        postal = data.postal("loc") or data.postal("int")
        addr = postal.addr if postal is not None else None
        row.update({
            "name": (postal.name or "") if postal else "",
            "org": (postal.org or "") if postal else "",
            "email": data.email,
            "phone": data.voice.number if data.voice else "",
            "street": ", ".join(addr.street) if addr else "",
            "city": f"{addr.pc or ''} {addr.city} {addr.cc}".strip() if addr else ""})
        copies.append(row)
    return copies


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
        # Sent time in the link: it expires after verify_days and works once (see below).
        token = signing.dumps({"c": contact.pk, "d": due, "s": now.isoformat()},
                              salt=CONFIRM_SALT)
        names = [d.u_label for d in Domain.objects.filter(state=DomainState.ACTIVE,
                                                          registrant=contact)]
        notice = deliver(Message(
            key=f"yearly-check:{contact.pk}:{due}", kind=NoticeKind.YEARLY_CHECK,
            template="yearly_check", recipients=[contact.email],
            language=str(profile.language), contact=contact,
            context={"contact": contact, "domains": names,
                     "registries": registry_copies(contact),
                     "until": now + timedelta(days=conf.verify_days()),
                     "url": f"{conf.portal_url()}/notices/confirm/{token}/"}), now)
        if notice is not None:
            sent.append(notice)
    return sent


def confirm_data(token: str, now: datetime | None = None) -> Contact:
    """One click: the holder says the data is still right. The link works once (a
    confirmation after it was sent uses it up) and for ``verify_days``."""
    now = now or clock.now()
    invalid = _("This link is not valid: copy the whole link from the message.")
    try:
        data: dict[str, Any] = signing.loads(token, salt=CONFIRM_SALT)
        sent = datetime.fromisoformat(str(data["s"]))
    except (signing.BadSignature, KeyError, ValueError) as exc:
        raise LinkError(invalid) from exc
    with transaction.atomic():
        profile = ContactProfile.objects.select_for_update().select_related("contact") \
            .filter(contact_id=int(data.get("c") or 0)).first()
        if profile is None:
            raise LinkError(invalid)
        if profile.confirmed_at is not None and profile.confirmed_at >= sent:
            raise LinkError(_("This link was already used."))
        if now - sent > timedelta(days=conf.verify_days()):
            raise LinkError(_("This link expired: check your data from your contact page."))
        profile.confirmed_at = now
        profile.save(update_fields=["confirmed_at"])
    return profile.contact


# --- what the member sees ----------------------------------------------------------------

def unverified_ids(organisation: Organisation) -> set[int]:
    """Contacts whose current address is not verified: the contacts page offers them a new
    link."""
    verified = ContactProfile.objects.filter(
        contact__organisation=organisation, verified_at__isnull=False,
        verified_email=F("contact__email")).values_list("contact_id", flat=True)
    return set(Contact.objects.filter(organisation=organisation)
               .exclude(pk__in=verified).values_list("pk", flat=True))


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
