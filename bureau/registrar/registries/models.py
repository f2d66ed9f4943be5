"""A registry Bureau is accredited at, and the TLDs with their prices and policies."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.core.fields import EncryptedTextField

# Namespaces Bureau looks for in a greeting (the EPP library has the full list).
FEE_NAMESPACES = ("urn:ietf:params:xml:ns:epp:fee-1.0",)
BDN_NAMESPACE = "urn:ietf:params:xml:ns:epp:b-dn"
RGP_NAMESPACE = "urn:ietf:params:xml:ns:rgp-1.0"
SECDNS_NAMESPACE = "urn:ietf:params:xml:ns:secDNS-1.1"


class Registry(models.Model):
    """An EPP server and Bureau's account there. The password is encrypted at rest."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    host = models.CharField(_("EPP host"), max_length=255)
    port = models.PositiveIntegerField(_("EPP port"), default=700)
    client_id = models.CharField(_("registrar login (clID)"), max_length=16)
    password = EncryptedTextField(_("registrar password"))
    # PEM file paths: the registry's CA (empty means the system store) and Bureau's TLS
    # client certificate, which most registries require.
    ca_file = models.CharField(_("CA certificate file"), max_length=500, blank=True)
    client_cert_file = models.CharField(_("client certificate file"), max_length=500, blank=True)
    client_key_file = models.CharField(_("client key file"), max_length=500, blank=True)
    max_sessions = models.PositiveSmallIntegerField(_("EPP sessions at most"), default=2)
    # What the last greeting offered: object and extension namespace URIs.
    greeting_objects = models.JSONField(_("objects offered"), default=list, blank=True)
    greeting_extensions = models.JSONField(_("extensions offered"), default=list, blank=True)
    greeting_at = models.DateTimeField(_("greeting read at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("registry")
        verbose_name_plural = _("registries")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)

    def supports(self, namespace: str) -> bool:
        """True when the registry's last greeting offered this extension namespace."""
        return namespace in self.greeting_extensions

    @property
    def fee_namespace(self) -> str | None:
        return next((ns for ns in FEE_NAMESPACES if self.supports(ns)), None)

    def record_greeting(self, objects: list[str], extensions: list[str]) -> None:
        self.greeting_objects = sorted(objects)
        self.greeting_extensions = sorted(extensions)
        self.greeting_at = clock.now()
        self.save(update_fields=["greeting_objects", "greeting_extensions", "greeting_at"])


class BundlingPolicy(models.TextChoices):
    NONE = "none", _("No bundling")
    # RFC 9095: the registry bundles variants of a registered name (RDN) with it (BDNs),
    # sharing holder, contacts, expiry and status.
    REGISTRY = "registry", _("Registry bundles variant names (RFC 9095)")


class Tld(models.Model):
    """A TLD sold by Bureau: periods, grace periods (days), prices (cents) and bundling."""

    registry = models.ForeignKey(
        Registry, on_delete=models.PROTECT, related_name="tlds", verbose_name=_("registry")
    )
    name = models.CharField(
        _("TLD (A-label, no dot)"), max_length=63, unique=True, help_text=_("e.g. coop or xn--p1ai")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    create_price = models.PositiveIntegerField(_("registration price per year (cents)"))
    renew_price = models.PositiveIntegerField(_("renewal price per year (cents)"))
    transfer_price = models.PositiveIntegerField(_("transfer price (cents)"))
    restore_price = models.PositiveIntegerField(_("restore price (cents)"), default=0)
    min_period = models.PositiveSmallIntegerField(
        _("shortest period (years)"), default=1, validators=[MinValueValidator(1)]
    )
    max_period = models.PositiveSmallIntegerField(
        _("longest period (years)"), default=10, validators=[MaxValueValidator(10)]
    )
    add_grace_days = models.PositiveSmallIntegerField(_("add grace period (days)"), default=5)
    renew_grace_days = models.PositiveSmallIntegerField(_("renew grace period (days)"), default=5)
    auto_renew_grace_days = models.PositiveSmallIntegerField(
        _("auto-renew grace period (days)"), default=45
    )
    transfer_grace_days = models.PositiveSmallIntegerField(
        _("transfer grace period (days)"), default=5
    )
    redemption_days = models.PositiveSmallIntegerField(_("redemption period (days)"), default=30)
    pending_delete_days = models.PositiveSmallIntegerField(
        _("pending delete period (days)"), default=5
    )
    bundling = models.CharField(
        _("bundling policy"), max_length=16, choices=BundlingPolicy.choices, default="none"
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("TLD")
        verbose_name_plural = _("TLDs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_period__lte=models.F("max_period")),
                name="registries_tld_period_range",
            )
        ]

    def __str__(self) -> str:
        return f".{self.name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.min_period and self.max_period and self.min_period > self.max_period:
            errors["max_period"] = _(
                "The longest period must be at least the shortest period (%(min)s years)."
            ) % {"min": self.min_period}
        if self.name != self.name.lower().strip("."):
            errors["name"] = _("Write the TLD in lower case, without a leading dot.")
        if errors:
            raise ValidationError(errors)

    def allows_period(self, years: int) -> bool:
        return self.min_period <= years <= self.max_period

    @property
    def bundles(self) -> bool:
        return self.bundling == BundlingPolicy.REGISTRY


class PollMessage(models.Model):
    """A message from a registry's poll queue, stored before it is acknowledged so that a
    lost acknowledgement never makes Bureau apply a message twice. A message is the same
    one when its id AND its content (date, text, data) are: a registry that hands out an id
    again for another message must not make Bureau drop that message."""

    registry = models.ForeignKey(Registry, on_delete=models.PROTECT, related_name="messages",
                                 verbose_name=_("registry"))
    msg_id = models.CharField(_("message id"), max_length=64)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    text = models.TextField(_("message"), blank=True)
    kind = models.CharField(_("kind"), max_length=32, blank=True)
    object_name = models.CharField(_("object"), max_length=253, blank=True)
    # SHA-256 of what the message says (date, text, data, extensions), not of the frame.
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    acked_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry message")
        verbose_name_plural = _("registry messages")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "msg_id", "fingerprint"],
                                    name="registries_msg_once")
        ]

    def __str__(self) -> str:
        return f"{self.registry} #{self.msg_id}: {self.text[:60]}"


class LoginEvent(models.Model):
    """A security event a registry reported when Bureau logged in (RFC 8807 loginSecData),
    e.g. "password expiring soon": kept for the operators (the admin lists them) and mailed
    to ADMINS when first seen. The same event at each later login only updates
    ``last_seen_at``."""

    registry = models.ForeignKey(Registry, on_delete=models.CASCADE,
                                 related_name="login_events", verbose_name=_("registry"))
    type = models.CharField(_("type"), max_length=32)  # password, certificate, stat...
    name = models.CharField(_("name"), max_length=64, blank=True)  # of a "custom" event
    level = models.CharField(_("level"), max_length=16)  # warning or error
    message = models.TextField(_("message"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    value = models.CharField(_("value"), max_length=255, blank=True)
    duration = models.CharField(_("duration"), max_length=64, blank=True)
    first_seen_at = models.DateTimeField(_("first seen at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    emailed = models.BooleanField(_("operators emailed"), default=False)

    class Meta:
        verbose_name = _("registry login event")
        verbose_name_plural = _("registry login events")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        what = self.name or self.type
        until = f" (expires {self.expires_at:%Y-%m-%d})" if self.expires_at else ""
        return f"{self.registry}: {what} {self.level}{until}: {self.message}"
