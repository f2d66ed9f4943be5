"""Domains as Bureau knows them, their hosts, DS records, bundled names and history."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core.appendonly import AppendOnlyModel
from bureau.core.fields import EncryptedTextField
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.registries.models import Registry, Tld

from .names import to_u_label


class DomainState(models.TextChoices):
    """Bureau's view of the life of a name; the registry's EPP statuses are kept as well."""

    PENDING_CREATE = "pending-create", _("Being registered")
    ACTIVE = "active", _("Active")
    PENDING_TRANSFER_IN = "pending-transfer-in", _("Transfer in requested")
    PENDING_TRANSFER_OUT = "pending-transfer-out", _("Transfer out requested")
    REDEMPTION = "redemption", _("Deleted, can be restored")
    PENDING_DELETE = "pending-delete", _("Being deleted")
    DELETED = "deleted", _("Deleted")
    TRANSFERRED_OUT = "transferred-out", _("Transferred to another registrar")


# States in which Bureau still holds the name at the registry.
HELD_STATES = frozenset(
    {DomainState.ACTIVE, DomainState.PENDING_TRANSFER_OUT, DomainState.REDEMPTION,
     DomainState.PENDING_DELETE}
)


class DomainQuerySet(models.QuerySet["Domain"]):
    def live(self) -> DomainQuerySet:
        """Rows Bureau has not let go of (history rows of deleted or departed names aside)."""
        return self.exclude(state__in=[DomainState.DELETED, DomainState.TRANSFERRED_OUT])

    def named(self, name: str) -> DomainQuerySet:
        """Registrations with ``name`` (an A-label) as their RDN or one of their BDNs."""
        bundled = BundledName.objects.filter(name=name).values("domain_id")
        return self.filter(models.Q(name=name) | models.Q(pk__in=bundled))


def live_domain(name: str) -> Domain | None:
    """The live registration one of whose names is ``name`` (A-label): RDN or BDN."""
    return Domain.objects.live().named(name).order_by("pk").first()


class StatusShown(NamedTuple):
    """A registry status with its free-text reason and the reason's language."""

    value: str
    reason: str = ""
    lang: str = ""


class Domain(models.Model):
    name = models.CharField(_("name (A-label)"), max_length=253)
    tld = models.ForeignKey(Tld, on_delete=models.PROTECT, related_name="domains",
                            verbose_name=_("TLD"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="domains", verbose_name=_("organisation"))
    registrant = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("holder"), null=True, blank=True)
    admin_contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("administrative contact"),
                                      null=True, blank=True)
    tech_contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("technical contact"), null=True, blank=True)
    billing_contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("billing contact"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=24, choices=DomainState.choices,
                             default=DomainState.PENDING_CREATE)
    # The registry's EPP statuses (RFC 5731 section 2.3), as last seen.
    statuses = models.JSONField(_("registry statuses"), default=list, blank=True)
    # The free text some statuses come with (`clientHold`: "Payment overdue."), as last seen:
    # status -> [text, language or ""].
    status_reasons = models.JSONField(_("reasons given with the statuses"), default=dict,
                                      blank=True)
    roid = models.CharField(_("repository id"), max_length=89, blank=True)
    # Host names (A-labels), in the order they were given.
    nameservers = models.JSONField(_("name servers"), default=list, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    auth_info = EncryptedTextField(_("transfer code"), blank=True, default="")
    # Locks Bureau asks the registry for (client* statuses); transfer lock on by default.
    transfer_prohibited = models.BooleanField(_("transfer lock"), default=True)
    update_prohibited = models.BooleanField(_("update lock"), default=False)
    delete_prohibited = models.BooleanField(_("delete lock"), default=False)
    renew_prohibited = models.BooleanField(_("renew lock"), default=False)
    # After a change of registrant: no transfer until then, unless the holder opted out.
    transfer_locked_until = models.DateTimeField(_("no transfer until"), null=True, blank=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]
        constraints = [
            # A name is held once at a time; deleted or transferred rows stay for history.
            models.UniqueConstraint(
                fields=["name"],
                condition=~models.Q(state__in=["deleted", "transferred-out"]),
                name="domains_one_live_domain_per_name",
            )
        ]

    objects = DomainQuerySet.as_manager()

    def __str__(self) -> str:
        return self.u_label

    @property
    def u_label(self) -> str:
        return to_u_label(str(self.name))

    @property
    def names(self) -> list[str]:
        """The names of this registration (A-labels): the RDN, then its bundled names. Every
        consumer of "the names Bureau holds" (DNS, escrow, notices, invoices) reads this."""
        # .all(): a list that prefetched bundled_names costs no query per row.
        return [str(self.name), *sorted(str(b.name) for b in self.bundled_names.all())]

    @property
    def u_labels(self) -> list[str]:
        return [to_u_label(name) for name in self.names]

    @property
    def registry(self) -> Registry:
        return self.tld.registry

    @property
    def statuses_shown(self) -> list[StatusShown]:
        """The registry statuses, each with the reason it came with (if any)."""
        reasons = self.status_reasons or {}
        return [StatusShown(str(s), *(reasons.get(s) or ("", ""))) for s in self.statuses]

    @property
    def client_statuses(self) -> set[str]:
        """The client* statuses the locks ask for."""
        wanted = {
            "clientTransferProhibited": self.transfer_prohibited,
            "clientUpdateProhibited": self.update_prohibited,
            "clientDeleteProhibited": self.delete_prohibited,
            "clientRenewProhibited": self.renew_prohibited,
        }
        return {status for status, on in wanted.items() if on}


class DSRecord(models.Model):
    """A DNSSEC delegation signer record sent to the registry (RFC 5910 dsData)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="ds_records",
                               verbose_name=_("domain"))
    key_tag = models.PositiveIntegerField(_("key tag"))
    algorithm = models.PositiveSmallIntegerField(_("algorithm"))
    digest_type = models.PositiveSmallIntegerField(_("digest type"))
    digest = models.CharField(_("digest (hex)"), max_length=128)

    class Meta:
        verbose_name = _("DS record")
        verbose_name_plural = _("DS records")
        constraints = [
            models.UniqueConstraint(fields=["domain", "key_tag", "algorithm", "digest_type",
                                            "digest"], name="domains_ds_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key_tag} {self.algorithm} {self.digest_type} {self.digest}"


class Host(models.Model):
    """A name server object Bureau created at a registry (RFC 5732), usually in-bailiwick."""

    name = models.CharField(_("host name (A-label)"), max_length=253)
    registry = models.ForeignKey(Registry, on_delete=models.PROTECT, related_name="hosts",
                                 verbose_name=_("registry"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="hosts", verbose_name=_("organisation"))
    superordinate = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="subordinate_hosts",
                                      verbose_name=_("parent domain"))
    addresses = models.JSONField(_("IP addresses"), default=list, blank=True)
    roid = models.CharField(_("repository id"), max_length=89, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("host")
        verbose_name_plural = _("hosts")
        constraints = [
            models.UniqueConstraint(fields=["registry", "name"], name="domains_host_unique")
        ]

    def __str__(self) -> str:
        return to_u_label(str(self.name))


class BundledName(models.Model):
    """A bundled domain name (BDN) the registry attached to a registered name (RFC 9095)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="bundled_names",
                               verbose_name=_("registered name (RDN)"))
    # Indexed: a registration is looked up by any of its names (live_domain, RDAP).
    name = models.CharField(_("bundled name (A-label)"), max_length=253, db_index=True)
    u_label = models.CharField(_("bundled name (U-label)"), max_length=253, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bundled name")
        verbose_name_plural = _("bundled names")
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="domains_bdn_unique")
        ]

    def __str__(self) -> str:
        return self.u_label or str(self.name)


class Operation(models.TextChoices):
    CHECK = "check", _("Check")
    CREATE = "create", _("Registration")
    RENEW = "renew", _("Renewal")
    AUTO_RENEW = "auto-renew", _("Automatic renewal")
    TRANSFER_REQUEST = "transfer-request", _("Transfer requested")
    TRANSFER_IN = "transfer-in", _("Transfer in")
    TRANSFER_OUT = "transfer-out", _("Transfer out")
    TRANSFER_APPROVE = "transfer-approve", _("Transfer approved")
    TRANSFER_REJECT = "transfer-reject", _("Transfer rejected")
    TRANSFER_CANCEL = "transfer-cancel", _("Transfer cancelled")
    UPDATE = "update", _("Update")
    REGISTRANT_CHANGE = "registrant-change", _("Change of holder")
    AUTH_INFO_REVEAL = "auth-info-reveal", _("Transfer code shown")
    DELETE = "delete", _("Deletion")
    RESTORE = "restore", _("Restore")
    RECONCILE = "reconcile", _("Reconciliation")
    POLL = "poll", _("Registry message")
    # A service the members price per year (bureau.coop price lists, service "dns-hosting").
    DNS_HOSTING = "dns-hosting", _("DNS hosting (one year)")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Done")
    PENDING = "pending", _("Pending at the registry")
    FAILED = "failed", _("Refused or failed")
    UNKNOWN = "unknown", _("Outcome unknown, being checked")


class DomainEvent(AppendOnlyModel):
    """One thing that happened to a domain: who, when, what, EPP ids, outcome. Append-only."""

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="events", verbose_name=_("domain"))
    # Kept as text too: the event outlives any row, and failed creates have no domain row.
    domain_name = models.CharField(_("domain name"), max_length=253, db_index=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    # When no person acted: the job or process ("poll", "reconcile", "registry").
    actor_label = models.CharField(_("by (system)"), max_length=64, blank=True)
    operation = models.CharField(_("operation"), max_length=24, choices=Operation.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    cl_trid = models.CharField(_("client transaction id"), max_length=64, blank=True)
    sv_trid = models.CharField(_("server transaction id"), max_length=64, blank=True)
    result_code = models.PositiveSmallIntegerField(_("EPP result code"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    order = models.ForeignKey("billing.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="events", verbose_name=_("order"))

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.domain_name} {self.operation} {self.outcome}"
