"""A name registered with Bureau's name servers gets its hosted zone: SOA and NS only, signed,
and its DS sent to the registry. Hooked to the registrar's `domain_registered` signal; a
failure here never undoes the registration (it is logged; the zone stays marked for the
reconciliation job when it was stored)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Left, Length
from django.utils.translation import gettext as _

from bureau.dns import conf
from bureau.dns.models import ChangeKind, DsState, PublishState, Zone
from bureau.registrar.accounts.mail import mail_people
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_MEMBERS
from bureau.registrar.domains.models import BundledName, Domain, DomainState
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.register import domain_registered

from .common import DNS_ACTOR, logger, record_change, uses_bureau_nameservers
from .dnssec import after_signing
from .zones import create_zone, withdraw_zone


def host_registered_domain(domain: Domain, actor: Actor | None = None) -> Zone | None:
    """Create the zones of a name just registered with Bureau's name servers (else None): one
    per name of the registration, since the registry delegates each name of a bundle (RFC
    9095) to the same servers and publishes the bundle's DS under each. Returns the RDN's."""
    if not uses_bureau_nameservers(domain):
        return None
    zone = host_name(domain, domain.name, linked=True)
    for name in domain.names[1:]:
        host_name(domain, name, linked=False)
    return zone


def host_name(domain: Domain, name: str, *, linked: bool) -> Zone:
    """The zone of one name of ``domain``: the organisation's own zone when it hosted the name
    before registering it (its DS sent now), else a new signed zone. Only the RDN's zone is
    linked to the registration; a BDN's reaches it by name (``registered_with_bureau``)."""
    existing = Zone.objects.filter(name=name.rstrip(".") + ".",
                                   organisation_id=domain.organisation_id).exclude(
        publish_state=PublishState.WITHDRAWN).first()
    if existing is None:
        return create_zone(organisation=domain.organisation, actor=DNS_ACTOR, name=name,
                           domain=domain if linked else None, dnssec=True)
    if linked and existing.domain_id != domain.pk:
        existing.domain = domain
        existing.save(update_fields=["domain", "updated_at"])
    if existing.dnssec:
        after_signing(existing)
    return existing


def withdraw_foreign_zones(domain: Domain) -> list[Zone]:
    """The name is now held by ``domain``'s organisation: zones other organisations host at
    or under it stop being served (rows and history kept), and their people are told."""
    at_or_under = Q()
    for name in domain.names:  # each name of a bundle is held
        at_or_under |= Q(name=name + ".") | Q(name__endswith=f".{name}.")
    foreign = Zone.objects.exclude(organisation_id=domain.organisation_id).exclude(
        publish_state=PublishState.WITHDRAWN).filter(at_or_under)
    withdrawn = []
    for zone in foreign:
        withdraw_zone(zone, reason=f"{domain.name} was registered by another organisation")
        tell_withdrawn(zone, domain)
        withdrawn.append(zone)
    return withdrawn


def tell_withdrawn(zone: Zone, domain: Domain) -> None:
    """Mail the owners and administrators of the zone's organisation (a mail server that
    refuses is logged: the zone is withdrawn either way)."""
    people = [m.user for m in zone.organisation.memberships.filter(
        role__in=ROLES_THAT_MANAGE_MEMBERS).select_related("user") if m.user.email]
    if not people:
        return

    def compose() -> tuple[str, str]:  # in each person's language
        return (_("Bureau no longer serves the zone %(zone)s") % {"zone": zone.u_label},
                _("%(name)s was registered at Bureau by its holder. Bureau's name servers "
                  "answer for a name only on behalf of its holder, so the zone %(zone)s that "
                  "%(organisation)s hosted is no longer served. Its records and history are "
                  "kept on the zone's page. If you hold this name, contact Bureau's "
                  "support.") % {"name": domain.u_label, "zone": zone.u_label,
                                 "organisation": zone.organisation.name})
    try:
        mail_people(people, compose)
    except Exception:
        logger.warning("telling %s that zone %s was withdrawn failed", people, zone.name,
                       exc_info=True)


def host_missing_zones() -> list[Zone]:
    """Active names that use Bureau's name servers but have no zone (name servers changed to
    Bureau's after registration, a transfer in, a hook that failed; a bundled name's zone
    missing too): host them now."""
    hosted = []
    candidates = Domain.objects.filter(Q(zone__isnull=True) | Q(bundled_names__isnull=False),
                                       state=DomainState.ACTIVE).distinct()
    for domain in candidates.prefetch_related("bundled_names"):
        # A parked name points at Bureau's name servers for its parking page only.
        if uses_bureau_nameservers(domain) and missing_zone(domain) and not conf.is_parked(domain):
            withdraw_foreign_zones(domain)
            zone = host_registered_domain(domain)
            if zone is not None:
                hosted.append(zone)
    return hosted


def missing_zone(domain: Domain) -> bool:
    names = [name + "." for name in domain.names]
    hosted = Zone.objects.filter(organisation_id=domain.organisation_id, name__in=names
                                 ).exclude(publish_state=PublishState.WITHDRAWN).count()
    return hosted < len(names)


def on_domain_registered(sender: Any, *, domain: Domain, actor: Actor, **kwargs: Any) -> None:
    try:
        withdraw_foreign_zones(domain)
        host_registered_domain(domain, actor)
    except Exception:
        logger.exception("hosting the zone of %s failed; the reconciliation job retries",
                         domain.name)


def connect_registration_hook() -> None:
    domain_registered.connect(on_domain_registered, dispatch_uid="bureau.dns.hosting")


def settle_departed_names() -> list[str]:
    """Zones of names that left Bureau for good, each change recorded in the zone's history.

    - Purged (deleted at the registry, past redemption: ``DELETED``): the zone is withdrawn
      (no longer served by PowerDNS and the secondaries; its rows and history stay). Anyone
      may register the name now: the old holder's answers must not be served for it.
    - Transferred to another registrar (``TRANSFERRED_OUT``): the zone stays served, unlinked
      from the name, like the zone of a name registered elsewhere: the holder may still use
      Bureau's name servers, and stopping would cut their web and mail. They stop hosting
      when they wish (``stop_hosting``).
    Names still held (redemption, pending delete) keep their zone: they can be restored.
    Returns the names settled."""
    settled = []
    zones = Zone.objects.filter(
        domain__state__in=[DomainState.DELETED, DomainState.TRANSFERRED_OUT]).exclude(
        publish_state=PublishState.WITHDRAWN).select_related("domain")
    for zone in zones:
        domain = zone.domain
        assert domain is not None
        if domain.state == DomainState.DELETED:
            withdraw_zone(zone, reason=f"{domain.name} was deleted at the registry (purged): "
                                       "the zone is no longer served")
        else:
            Zone.objects.filter(pk=zone.pk).update(domain=None,
                                                   ds_state=DsState.NOT_APPLICABLE)
            zone.refresh_from_db()
            record_change(zone, DNS_ACTOR, ChangeKind.RECONCILE, published=False,
                          summary=f"{domain.name} was transferred to another registrar: the "
                                  "zone is still served; give its DS to the new registrar")
            logger.info("zone %s kept after the transfer out of %s", zone.name, domain.name)
        settled.append(domain.name)
    return settled + settle_departed_bundled_names()


def settle_departed_bundled_names() -> list[str]:
    """The same for the zones of bundled names (not linked to their registration): a purged
    bundle's zones are withdrawn; a bundle transferred out keeps them served, said once in
    their history (their DS state becomes n/a). A name the organisation holds again is left."""
    departed = BundledName.objects.filter(
        name=OuterRef("bare"), domain__organisation_id=OuterRef("organisation_id"),
        domain__state__in=[DomainState.DELETED, DomainState.TRANSFERRED_OUT])
    zones = Zone.objects.filter(domain__isnull=True).exclude(
        publish_state=PublishState.WITHDRAWN).exclude(ds_state=DsState.NOT_APPLICABLE).annotate(
        bare=Left("name", Length("name") - 1)).filter(Exists(departed))
    settled = []
    for zone in zones:
        bare = str(zone.name).rstrip(".")
        if Domain.objects.live().filter(organisation_id=zone.organisation_id,
                                        bundled_names__name=bare).exists():
            continue
        gone = Domain.objects.filter(organisation_id=zone.organisation_id,
                                     bundled_names__name=bare).latest("pk")
        if gone.state == DomainState.DELETED:
            withdraw_zone(zone, reason=f"{bare}, bundled with {gone.name}, was deleted at the "
                                       "registry (purged): the zone is no longer served")
        else:
            Zone.objects.filter(pk=zone.pk).update(ds_state=DsState.NOT_APPLICABLE)
            zone.refresh_from_db()
            record_change(zone, DNS_ACTOR, ChangeKind.RECONCILE, published=False,
                          summary=f"{bare}, bundled with {gone.name}, was transferred to "
                                  "another registrar: the zone is still served; give its DS "
                                  "to the new registrar")
        settled.append(bare)
    return settled
