"""Organisations (the customers that hold names and a balance) and their members' roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    TECH = "tech", _("Technical")
    BILLING = "billing", _("Billing")
    READ_ONLY = "read-only", _("Read only")


# What each role may do; operations check these instead of comparing role names.
ROLES_THAT_ORDER = frozenset({Role.OWNER, Role.ADMIN, Role.BILLING})
ROLES_THAT_MANAGE_DOMAINS = frozenset({Role.OWNER, Role.ADMIN, Role.TECH})
ROLES_THAT_MANAGE_MEMBERS = frozenset({Role.OWNER, Role.ADMIN})


class Organisation(models.Model):
    """A customer account: a person on their own or a group. Holds domains and a balance."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)

    def role_of(self, user: User) -> str | None:
        membership = self.memberships.filter(user=user).first()
        return None if membership is None else str(membership.role)

    def allows(self, user: User, roles: frozenset[Role]) -> bool:
        role = self.role_of(user)
        return role is not None and role in roles


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="accounts_one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class PersonPreferences(models.Model):
    """What a person chose for themselves: the language of the emails Bureau sends them
    (set at sign-up from their browser's, changed on their account page)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="preferences", verbose_name=_("person"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("person's preferences")
        verbose_name_plural = _("people's preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


def language_of_person(user: object, default: str | None = None) -> str:
    """The language a person chose for their emails; else ``default`` (the language they
    are using now), else Bureau's."""
    known = [code for code, _name in settings.LANGUAGES]
    pk = getattr(user, "pk", None)
    chosen = PersonPreferences.objects.filter(user_id=pk).values_list(
        "language", flat=True).first() if pk is not None else None
    for candidate in (chosen, default, settings.LANGUAGE_CODE):
        if candidate and candidate.split("-")[0] in known:
            return candidate.split("-")[0]
    return known[0]


class OrganisationPolicy(models.Model):
    """An organisation's security settings (one row per organisation, created on demand)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="security_policy",
                                        verbose_name=_("organisation"))
    require_2fa = models.BooleanField(
        _("require two-factor authentication"), default=False,
        help_text=_("Every person of the organisation must set up a second factor "
                    "(authenticator app or passkey) before using the portal."))

    class Meta:
        db_table = "audit_organisationpolicy"  # made by the audit app, which owned it first
        verbose_name = _("security policy")
        verbose_name_plural = _("security policies")

    def __str__(self) -> str:
        return f"{self.organisation}: 2FA {'required' if self.require_2fa else 'optional'}"
