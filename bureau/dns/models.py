"""Hosted zones and their records (the source of truth), change history, templates, DNSSEC
keys and rollovers, health check results."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core.appendonly import AppendOnlyModel
from bureau.core.fields import EncryptedTextField
from bureau.dns.names import to_unicode
from bureau.dns.records import ValidRecord
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain


class PublishState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Being published")
    UNKNOWN = "unknown", _("Publication not confirmed, being checked")
    WITHDRAWN = "withdrawn", _("Not served: the name is held by another organisation")


class DsState(models.TextChoices):
    NONE = "none", _("Not signed")
    PENDING = "pending", _("DS not sent to the registry yet")
    SENT = "sent", _("DS at the registry")
    UNKNOWN = "unknown", _("DS sent, outcome being checked")
    FAILED = "failed", _("The registry refused the DS")
    NOT_APPLICABLE = "n/a", _("Not registered with Bureau: give the DS to your registrar")
    UNDELEGATED = "undelegated", _("Not sent: the name uses other name servers")


class DnssecAlgorithm(models.IntegerChoices):
    ECDSAP256SHA256 = 13, _("ECDSA P-256 with SHA-256 (13, recommended)")
    ED25519 = 15, _("Ed25519 (15)")

    @property
    def powerdns_name(self) -> str:
        return {13: "ECDSAP256SHA256", 15: "ED25519"}[self.value]


class Zone(models.Model):
    """A zone Bureau hosts: for a domain of an organisation, or standalone (a sub-zone, a
    name registered elsewhere)."""

    name = models.CharField(_("zone (A-label, final dot)"), max_length=255, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="zones", verbose_name=_("organisation"))
    domain = models.OneToOneField(Domain, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="zone", verbose_name=_("domain"))
    nameservers = models.JSONField(_("name servers"), default=list)
    dnssec = models.BooleanField(_("DNSSEC"), default=True)
    # Denial of existence with NSEC3 (RFC 9276 parameters) instead of NSEC.
    nsec3 = models.BooleanField(_("NSEC3"), default=False)
    # Signing algorithm (RFC 8624): 13 ECDSA P-256 SHA-256 by default, 15 Ed25519 offered.
    algorithm = models.PositiveSmallIntegerField(_("DNSSEC algorithm"),
                                                 choices=DnssecAlgorithm.choices,
                                                 default=DnssecAlgorithm.ECDSAP256SHA256)
    # Parked after expiry (ERRP): PowerDNS serves the parking records, not the member's.
    parked = models.BooleanField(_("parked"), default=False)
    # DNSSEC being turned off: the last time the zone's DS was still seen at the parent (set
    # when asked). The keys go once the DS is gone and caches had time to forget it.
    unsigning_ds_seen_at = models.DateTimeField(_("DNSSEC being turned off, DS last seen"),
                                                null=True, blank=True)
    publish_state = models.CharField(_("publication"), max_length=12,
                                     choices=PublishState.choices,
                                     default=PublishState.PENDING)
    serial = models.PositiveBigIntegerField(_("serial"), default=0)
    ds_state = models.CharField(_("DS at the registry"), max_length=12, choices=DsState.choices,
                                default=DsState.NONE)
    # The DS Bureau wants at the registry ("tag alg digesttype digest"), as PowerDNS gives it.
    ds_wanted = models.JSONField(_("DS wanted"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("hosted zone")
        verbose_name_plural = _("hosted zones")
        ordering = ["name"]
        constraints = [
            # One served zone per name; withdrawn rows stay for their history.
            models.UniqueConstraint(fields=["name"], condition=~models.Q(publish_state="withdrawn"),
                                    name="dns_one_served_zone_per_name"),
        ]

    def __str__(self) -> str:
        return self.u_label

    @property
    def u_label(self) -> str:
        return to_unicode(str(self.name)).rstrip(".")

    @property
    def signing_algorithm(self) -> str:
        """The algorithm as PowerDNS names it."""
        return DnssecAlgorithm(self.algorithm).powerdns_name

    def valid_records(self) -> list[ValidRecord]:
        return [r.valid() for r in self.records.all()]


class TemplateKind(models.TextChoices):
    MAIL = "mail", _("Mail provider")
    WEB = "web", _("Web host")
    OTHER = "other", _("Other")


class Template(models.Model):
    """Records for a common setup; `{parameter}` placeholders are filled when applied."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=TemplateKind.choices)
    description = models.TextField(_("description"), blank=True)
    # [{"name": "@", "type": "MX", "content": "10 {mx}", "ttl": 3600}, ...]
    records = models.JSONField(_("records"), default=list)
    # [{"name": "mx", "label": "Mail server", "default": ""}, ...]
    parameters = models.JSONField(_("parameters"), default=list, blank=True)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return str(self.name)


class TemplateApplication(models.Model):
    """A template applied to a zone; its records carry this tag until it is removed."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="applications",
                             verbose_name=_("zone"))
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("template"))
    values = models.JSONField(_("parameter values"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("template applied")
        verbose_name_plural = _("templates applied")
        ordering = ["applied_at", "id"]

    def __str__(self) -> str:
        return f"{self.template} @ {self.zone}"


class Record(models.Model):
    """One record as published: absolute A-label owner, canonical content (validated)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="records",
                             verbose_name=_("zone"))
    name = models.CharField(_("owner (A-label, final dot)"), max_length=255)
    rtype = models.CharField(_("type"), max_length=10)
    content = models.TextField(_("content"))
    ttl = models.PositiveIntegerField(_("TTL (seconds)"))
    application = models.ForeignKey(TemplateApplication, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="records",
                                    verbose_name=_("added by template"))
    # The name the content ends with (CNAME, MX, NS, SRV, PTR... targets), "" for none: an
    # edit finds the records pointing at a changed name through an index, not a scan.
    target = models.CharField(_("target"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        ordering = ["name", "rtype", "content"]
        indexes = [models.Index(fields=["zone", "name", "rtype"]),
                   models.Index(fields=["zone", "target"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.target = self.target_of(str(self.content))
        super().save(*args, **kwargs)

    @staticmethod
    def target_of(content: str) -> str:
        """The absolute name `content` ends with, lower-case ("" when it ends otherwise)."""
        last = content.rstrip().rpartition(" ")[2].lower()
        return last[:255] if last.endswith(".") and len(last) > 1 else ""

    def __str__(self) -> str:
        return f"{self.name} {self.ttl} {self.rtype} {self.content}"

    def valid(self) -> ValidRecord:
        return ValidRecord(str(self.name), str(self.rtype), str(self.content), int(self.ttl))

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "type": self.rtype, "content": self.content,
                "ttl": self.ttl, "application": self.application_id}


class ChangeKind(models.TextChoices):
    CREATE = "create", _("Zone created")
    EDIT = "edit", _("Records edited")
    IMPORT = "import", _("Zone file imported")
    TEMPLATE_APPLY = "template-apply", _("Template applied")
    TEMPLATE_REMOVE = "template-remove", _("Template removed")
    UNDO = "undo", _("Undo")
    DNSSEC = "dnssec", _("DNSSEC")
    RECONCILE = "reconcile", _("Reconciliation")
    CREDENTIAL = "credential", _("ACME credential")
    CHALLENGE = "challenge", _("ACME challenge")


class ZoneChange(AppendOnlyModel):
    """One change of a zone: who, when, what records went and came, the serial published.
    Undo is a new change that removes `added` and puts back `removed`."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="changes",
                             verbose_name=_("zone"))
    zone_name = models.CharField(_("zone name"), max_length=255, db_index=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    actor_label = models.CharField(_("by (system)"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    added = models.JSONField(_("records added"), default=list, blank=True)
    removed = models.JSONField(_("records removed"), default=list, blank=True)
    undoes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="undone_by", verbose_name=_("undoes"))
    serial = models.PositiveBigIntegerField(_("serial"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("zone change")
        verbose_name_plural = _("zone history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.zone_name} {self.kind}"

    @property
    def published_serial(self) -> int | None:
        """The serial the change was served with (its outbox entry's, once published)."""
        publication = getattr(self, "publication", None)
        if publication is not None:
            return publication.serial
        return int(self.serial) if self.serial else None

    @property
    def is_published(self) -> bool:
        publication = getattr(self, "publication", None)
        if publication is not None:
            return publication.published_at is not None
        return bool(self.published)


class KeyState(models.TextChoices):
    INCOMING = "incoming", _("New key, published, not signing yet")
    ACTIVE = "active", _("Signing")
    RETIRING = "retiring", _("Old key, published, no longer signing")
    REMOVED = "removed", _("Removed")


class DnssecKey(models.Model):
    """A signing key of a zone, as PowerDNS holds it (PowerDNS keeps the private part)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="keys",
                             verbose_name=_("zone"))
    powerdns_id = models.PositiveIntegerField(_("PowerDNS key id"))
    algorithm = models.CharField(_("algorithm"), max_length=32)
    keytype = models.CharField(_("key type"), max_length=8)
    dnskey = models.TextField(_("DNSKEY"))
    ds = models.JSONField(_("DS"), default=list)
    state = models.CharField(_("state"), max_length=10, choices=KeyState.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("DNSSEC key")
        verbose_name_plural = _("DNSSEC keys")
        ordering = ["zone", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.zone} key {self.powerdns_id} ({self.state})"


class RolloverStep(models.TextChoices):
    NEW_KEY_PUBLISHED = "new-key-published", _("New key published; its DS goes to the registry")
    DS_BOTH = "ds-both", _("Both DS at the registry; waiting for caches")
    NEW_KEY_ACTIVE = "new-key-active", _("New key signs; waiting for caches")
    OLD_KEY_REMOVED = "old-key-removed", _("Old key removed; old DS leaves the registry")
    DONE = "done", _("Done")


class Rollover(models.Model):
    """A key rollover in steps; the new DS is at the registry before the old key goes."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="rollovers",
                             verbose_name=_("zone"))
    old_key = models.ForeignKey(DnssecKey, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("old key"))
    new_key = models.ForeignKey(DnssecKey, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("new key"))
    step = models.CharField(_("step"), max_length=20, choices=RolloverStep.choices)
    step_at = models.DateTimeField(_("step reached at"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)

    class Meta:
        verbose_name = _("key rollover")
        verbose_name_plural = _("key rollovers")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.zone} rollover ({self.step})"


class HealthCheck(models.Model):
    """The result of the health checks of one zone at one time."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="health_checks",
                             verbose_name=_("zone"))
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)
    ok = models.BooleanField(_("healthy"))
    # [{"code": "delegation-mismatch", "message": "..."}]
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # {"127.0.0.1:5301": 2026112501, ...}: what each secondary served.
    secondaries = models.JSONField(_("secondaries"), default=dict, blank=True)

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.zone} {self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'problems'}"


class Publication(models.Model):
    """The outbox: RRsets changed in the database, to be confirmed by PowerDNS. Written in the
    change's transaction, published after its commit (no lock held while PowerDNS is called),
    marked published with the serial PowerDNS gave; the reconciliation job retries the
    rest."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="publications",
                             verbose_name=_("zone"))
    change = models.OneToOneField(ZoneChange, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="publication",
                                  verbose_name=_("change"))
    # [["www.example.org.", "A"], ...]: the RRsets to send as they are in the database then.
    rrsets = models.JSONField(_("RRsets"), default=list)
    # A delegation changes: published as a PATCH, PowerDNS rectifies the whole zone.
    rectify = models.BooleanField(_("rectify"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        db_index=True)
    serial = models.PositiveBigIntegerField(_("serial"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.zone} {len(self.rrsets)} RRsets"


class AcmeCredential(models.Model):
    """A TSIG key that may only add and remove the TXT records of `_acme-challenge.<name>`
    (DNS-01 for <name> and *.<name>) through RFC 2136; the secret is shown once, kept encrypted."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="acme_credentials",
                             verbose_name=_("zone"))
    name = models.CharField(_("name (A-label, final dot)"), max_length=255)
    key_name = models.CharField(_("TSIG key name"), max_length=255, unique=True)
    # Verifies the TSIG of each update (bureau.dns.updates); shown to the member once.
    secret = EncryptedTextField(_("TSIG secret"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ACME credential")
        verbose_name_plural = _("ACME credentials")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key_name
