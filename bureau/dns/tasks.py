"""Periodic jobs of DNS hosting (see settings.BUREAU_PERIODIC_JOBS)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from bureau.dns import conf, suffixes
from bureau.dns.models import DsState, PublishState, Rollover, Zone
from bureau.dns.operations.credentials import revoke_expired
from bureau.dns.operations.dnssec import (
    ROLLOVER_ACTIVE_STEPS,
    advance_rollover,
    advance_unsigning,
    delegated_to_bureau,
    send_ds,
)
from bureau.dns.operations.fees import charge_due
from bureau.dns.operations.health import check_zone, sync_secondaries
from bureau.dns.operations.hosting import host_missing_zones, settle_departed_names
from bureau.dns.operations.reconcile import reconcile_zone

logger = logging.getLogger("bureau.dns.tasks")


@task()
def reconcile_zones() -> int:
    """Zones of names that left Bureau are settled (purged: withdrawn; transferred out: kept,
    unlinked); names using Bureau's name servers without a zone get one; zones whose
    publication or DS is not confirmed are read back and settled. Returns how many zones were
    looked at."""
    try:
        settle_departed_names()
    except Exception:
        logger.warning("settling the zones of names that left Bureau failed", exc_info=True)
    try:
        host_missing_zones()
    except Exception:
        logger.warning("hosting the zones of names using Bureau's name servers failed",
                       exc_info=True)

    try:
        for report in sync_secondaries(wait=2.0):
            if report.error or report.missing:
                logger.warning("secondary %s not up to date: %s", report.secondary,
                               report.error or f"missing {', '.join(report.missing[:20])}")
    except Exception:
        logger.warning("syncing the secondaries failed", exc_info=True)
    try:
        settle_delegation_changes()
    except Exception:
        logger.warning("settling the DS of names whose name servers changed failed",
                       exc_info=True)

    zones = (Zone.objects.exclude(publish_state=PublishState.PUBLISHED) | Zone.objects.filter(
        ds_state__in=[DsState.PENDING, DsState.UNKNOWN])).exclude(
        publish_state=PublishState.WITHDRAWN)
    count = 0
    for zone in zones.distinct():
        count += 1
        try:
            reconcile_zone(zone)
        except Exception:
            logger.warning("reconciling %s failed; next run tries again", zone, exc_info=True)
    return count


def settle_delegation_changes() -> int:
    """Zones whose DS state no longer matches the name's delegation (its name servers moved to
    or from Bureau's): the DS follows (sent, or said to be not sent). Returns how many."""
    moved = 0
    zones = Zone.objects.filter(dnssec=True, domain__isnull=False, ds_state__in=[
        DsState.SENT, DsState.UNDELEGATED]).exclude(
        publish_state=PublishState.WITHDRAWN).select_related("domain")
    for zone in zones:
        assert zone.domain is not None
        if delegated_to_bureau(zone.domain) == (zone.ds_state == DsState.SENT):
            continue
        moved += 1
        if zone.ds_state == DsState.SENT:
            send_ds(zone)  # says "not sent" without touching the registry
        else:
            zone.ds_state = DsState.UNKNOWN  # the registry's DS is read back, then settled
            zone.save(update_fields=["ds_state", "updated_at"])
    return moved


@task()
def advance_rollovers() -> int:
    """Take the next step of every key rollover under way whose wait is over, and of every
    zone whose DNSSEC is being turned off."""
    wait = timedelta(seconds=int(getattr(settings, "BUREAU_DNS_ROLLOVER_WAIT", 2 * 86400)))
    moved = 0
    for rollover in Rollover.objects.filter(step__in=ROLLOVER_ACTIVE_STEPS):
        before = rollover.step
        try:
            if advance_rollover(rollover, wait=wait).step != before:
                moved += 1
        except Exception:
            logger.warning("rollover of %s failed; next run tries again", rollover.zone,
                           exc_info=True)
    for zone in Zone.objects.filter(unsigning_ds_seen_at__isnull=False):
        try:
            if not advance_unsigning(zone, wait=wait).dnssec:
                moved += 1
        except Exception:
            logger.warning("turning DNSSEC off for %s failed; next run tries again", zone,
                           exc_info=True)
    return moved


@task()
def check_health() -> int:
    """Run the health checks of every hosted zone; returns how many have problems."""
    unhealthy = 0
    for zone in Zone.objects.exclude(publish_state=PublishState.WITHDRAWN):
        try:
            unhealthy += 0 if check_zone(zone).ok else 1
        except Exception:
            logger.warning("health check of %s failed", zone, exc_info=True)
    return unhealthy


@task()
def refresh_public_suffixes() -> int:
    """Download the Public Suffix List (``BUREAU_DNS_PUBLIC_SUFFIX_URL``) into Bureau's
    variable directory; a list that does not parse or lacks the usual rules is refused and
    the one in use kept. Returns how many rules the new list has."""
    url = getattr(settings, "BUREAU_DNS_PUBLIC_SUFFIX_URL", suffixes.DEFAULT_URL)
    count = suffixes.refresh(conf.public_suffix_file(), url)
    logger.info("public suffix list refreshed from %s: %s rules", url, count)
    return count


@task()
def revoke_expired_acme_credentials() -> int:
    """ACME credentials past their expiry are revoked (their TSIG keys deleted); how many."""
    return revoke_expired()


@task()
def charge_hosting() -> str:
    """Charge the yearly DNS hosting fee of the zones whose paid year has ended."""
    run = charge_due()
    return f"charged {run.charged}, balance too short {run.short}"
