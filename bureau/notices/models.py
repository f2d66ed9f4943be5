"""What notices remember: each message sent (once), delivery failures, the holder's renewal
choice, the paid-up term of each name, contact checks, DNS parking and goodbyes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Renewal reminder")
    AUTO_RENEW_FAILED = "auto-renew-failed", _("Automatic renewal failed")
    VERIFY_EMAIL = "verify-email", _("Email verification")
    YEARLY_CHECK = "yearly-check", _("Yearly contact data check")
    CONTACT_FLAGGED = "contact-flagged", _("Contact data not verified")
    REVIEW_APPROVED = "review-approved", _("Registered after the registry's review")
    REVIEW_REFUSED = "review-refused", _("Refused by the registry after review")
    AUTO_RENEWED = "auto-renewed", _("Renewed automatically")
    REDEMPTION = "redemption", _("Deleted, restorable (redemption)")
    GOODBYE_DELETED = "goodbye-deleted", _("Deleted at the member's request")
    RESTORED = "restored", _("Restored")
    REGISTERED = "registered", _("Registered")
    RENEWED = "renewed", _("Renewed")
    TRANSFERRED_IN = "transferred-in", _("Transferred in")
    TRANSFERRED_OUT = "transferred-out", _("Transferred out")
    DELETED = "deleted", _("Deleted")


class NoticeStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    PARTLY = "partly", _("Sent to some recipients")
    FAILED = "failed", _("Not delivered")


class Notice(models.Model):
    """One message about one thing. ``key`` is unique: the database refuses a second copy
    (e.g. ``reminder:<domain>:<expiry>:<step>``), so no notice is ever sent twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="notices", verbose_name=_("domain"))
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="notices", verbose_name=_("contact"))
    step = models.SmallIntegerField(_("days before expiry"), null=True, blank=True)
    created_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices,
                              default=NoticeStatus.CLAIMED)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        # The stale-claim report of every run reads the few rows still "being sent".
        indexes = [models.Index(fields=["created_at"], condition=models.Q(status="claimed"),
                                name="notices_claimed_at")]

    def __str__(self) -> str:
        return self.key


class DeliveryFailure(models.Model):
    """A refused address (SMTP) or a bounce: the contact data may be wrong."""

    address = models.CharField(_("address"), max_length=254, db_index=True)
    at = models.DateTimeField(_("at"))
    source = models.CharField(_("source"), max_length=12,
                              choices=[("smtp", _("Refused by the mail server")),
                                       ("bounce", _("Bounced"))])
    reason = models.TextField(_("reason"), blank=True)
    notice = models.ForeignKey(Notice, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="failures", verbose_name=_("notice"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery failure")
        verbose_name_plural = _("delivery failures")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.address} ({self.source})"


class RenewalChoice(models.Model):
    """Auto-renew, chosen explicitly for one domain or for a whole organisation. No row means
    no choice was made: names are then not renewed automatically, and reminders say so."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, null=True,
                                        blank=True, related_name="renewal_choice",
                                        verbose_name=_("organisation"))
    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="renewal_choice", verbose_name=_("domain"))
    auto_renew = models.BooleanField(_("renew automatically"))
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("chosen by"))
    chosen_at = models.DateTimeField(_("chosen at"))

    class Meta:
        verbose_name = _("renewal choice")
        verbose_name_plural = _("renewal choices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True, domain__isnull=False)
                | models.Q(organisation__isnull=False, domain__isnull=True),
                name="notices_choice_for_domain_or_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.domain or self.organisation}: {self.auto_renew}"


class Term(models.Model):
    """The date up to which the holder paid for a name. The registry may auto-renew a name
    at expiry (gTLD practice) and Bureau's copy of the expiry follow it; the holder's term
    moves only with a paid order (renewal, registration, transfer, restore)."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, related_name="term",
                                  verbose_name=_("domain"))
    paid_until = models.DateTimeField(_("paid until"), db_index=True)
    seen_expiry = models.DateTimeField(_("registry expiry last seen"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"))
    # The last order of the domain taken into account (orders carry real time, notices a
    # clock that tests move: ids are the safe way to tell "since").
    last_order_id = models.BigIntegerField(_("last order seen"), default=0)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return f"{self.domain}: {self.paid_until:%Y-%m-%d}"


class ContactProfile(models.Model):
    """What notices know of a contact: language, email verification, yearly confirmation."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="profile",
                                   verbose_name=_("contact"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    verified_email = models.CharField(_("verified email"), max_length=254, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_email = models.CharField(_("email being verified"), max_length=254,
                                          blank=True)
    verification_sent_at = models.DateTimeField(_("verification sent at"), null=True,
                                                blank=True)
    # Changed at every use: a link works once.
    nonce = models.CharField(_("link nonce"), max_length=32, blank=True)
    confirmed_at = models.DateTimeField(_("data confirmed at"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    suspended = models.BooleanField(_("names suspended"), default=False)

    class Meta:
        verbose_name = _("contact profile")
        verbose_name_plural = _("contact profiles")

    def __str__(self) -> str:
        return str(self.contact)

    @property
    def email_verified(self) -> bool:
        return bool(self.verified_at) and self.verified_email == self.contact.email


class Parking(models.Model):
    """An ERRP interruption: the name resolves to Bureau's parking page from ``parked_at``
    until ``restored_at``. ``saved_nameservers`` are put back after renewal."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="parkings",
                               verbose_name=_("domain"))
    method = models.CharField(_("method"), max_length=12,
                              choices=[("dns", _("Bureau's DNS hosting")),
                                       ("nameservers", _("Name servers at the registry"))])
    saved_nameservers = models.JSONField(_("holder's name servers"), default=list, blank=True)
    # DS records removed while parked (a signed delegation to the parking servers would fail
    # validation and hide the parking page), put back with the name servers.
    saved_ds = models.JSONField(_("holder's DS records"), default=list, blank=True)
    parked_at = models.DateTimeField(_("parked at"))
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("parking")
        verbose_name_plural = _("parkings")
        constraints = [
            models.UniqueConstraint(fields=["domain"], condition=models.Q(restored_at=None),
                                    name="notices_one_open_parking_per_domain"),
        ]

    def __str__(self) -> str:
        return f"{self.domain} parked {self.parked_at:%Y-%m-%d}"


class GoodbyeMode(models.TextChoices):
    DELETE = "delete", _("Delete now")
    LET_EXPIRE = "let-expire", _("Let it expire")


class Goodbye(models.Model):
    """The member went through the checklist and chose to give the name up."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="goodbyes",
                               verbose_name=_("domain"))
    mode = models.CharField(_("choice"), max_length=12, choices=GoodbyeMode.choices)
    checklist = models.JSONField(_("checklist answers"), default=dict)
    typed_name = models.CharField(_("name typed"), max_length=253)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("goodbye")
        verbose_name_plural = _("goodbyes")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.domain} {self.mode}"
