"""Contacts (holders and admin/tech/billing contacts) and their per-registry handles."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core.validators import check_fields
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.registries.models import Registry

from .validators import ContactEmailValidator, normalise_phone, validate_country, validate_phone

# Only these break a street into lines; str.splitlines would also take control characters
# (U+001C...) and U+2028 for line breaks, hiding them from the check instead of refusing them.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Contact(models.Model):
    """A person or organisation as registries know them. Validated before it is stored."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=255)
    org = models.CharField(_("organisation name"), max_length=255, blank=True)
    email = models.CharField(_("email"), max_length=254, validators=[ContactEmailValidator()])
    phone = models.CharField(
        _("phone"), max_length=20, validators=[validate_phone], help_text=_("e.g. +33.123456789")
    )
    fax = models.CharField(_("fax"), max_length=20, blank=True, validators=[validate_phone])
    street = models.TextField(_("street address"), help_text=_("one to three lines"))
    city = models.CharField(_("city"), max_length=255)
    state = models.CharField(_("state or province"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    country = models.CharField(
        _("country"), max_length=2, validators=[validate_country], help_text=_("ISO code, e.g. FR")
    )
    # Registries may show the holder's data; the holder chooses (RFC 5733 <contact:disclose>).
    disclose = models.BooleanField(_("publish in directory"), default=False)
    verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self.normalise()
        super().full_clean(*args, **kwargs)

    def normalise(self) -> None:
        """Forgive the common ways of writing data before the validators judge it."""
        self.email = self.email.strip()
        self.country = self.country.strip().upper()
        if self.phone:
            self.phone = normalise_phone(self.phone)
        if self.fax:
            self.fax = normalise_phone(self.fax)
        lines = [line.strip() for line in _LINE_BREAK.split(self.street) if line.strip()]
        self.street = "\n".join(lines)

    def clean(self) -> None:
        # What reaches the registries as XML: no control character (the street may have lines).
        check_fields(self, ["name", "org", "city", "state", "postal_code"],
                     multiline=["street"])
        lines = self.street_lines
        if len(lines) > 3:
            raise ValidationError(
                {"street": _("Registries take three street lines at most: join some of them.")}
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Bad input never reaches the database, whatever the caller forgot to check.
        self.full_clean()
        super().save(*args, **kwargs)

    @property
    def street_lines(self) -> list[str]:
        return _LINE_BREAK.split(self.street) if self.street else []

    def handle_at(self, registry: Registry) -> str | None:
        handle = self.handles.filter(registry=registry).first()
        return None if handle is None else str(handle.handle)


class ContactHandle(models.Model):
    """The id a registry knows a contact by (its <contact:id>), one per registry."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="handles", verbose_name=_("contact")
    )
    registry = models.ForeignKey(
        Registry, on_delete=models.PROTECT, related_name="handles", verbose_name=_("registry")
    )
    handle = models.CharField(_("handle"), max_length=16)
    roid = models.CharField(_("repository id"), max_length=89, blank=True)
    # The data last sent, to know when the registry's copy needs an update.
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact handle")
        verbose_name_plural = _("contact handles")
        constraints = [
            models.UniqueConstraint(fields=["registry", "handle"], name="contacts_handle_unique"),
            models.UniqueConstraint(
                fields=["contact", "registry"], name="contacts_one_handle_per_registry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handle} @ {self.registry}"
