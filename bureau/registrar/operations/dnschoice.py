"""The DNS a name gets when it is registered (the checkout's choice, the same for the portal,
the API and the CLI):

- ``bureau`` (recommended, the edges' default): Bureau's name servers are set at the
  registry; the DNS app (``register.domain_registered``) creates the zone, signs it and sends
  its DS, so the name answers as soon as the order completes.
- ``own``: the member's name servers, at least two, each a host name that resolves (checked
  through ``BUREAU_DNS_RESOLVERS`` before anything is ordered).
- ``later``: no name servers (experts; the name does not work until some are set).

``None`` keeps the name servers the caller gives (jobs and older callers)."""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.resolver
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core.resolver import make_resolver

from .errors import OperationError


class DnsChoice(models.TextChoices):
    BUREAU = "bureau", _("Bureau's DNS (recommended): the name works at once, signed")
    OWN = "own", _("My own name servers")
    LATER = "later", _("Later (experts: the name does not work until name servers are set)")


class NameserversInvalid(OperationError):
    field = "nameservers"


def bureau_nameservers() -> list[str]:
    return [ns.strip().lower().rstrip(".") for ns in settings.BUREAU_DNS_NAMESERVERS]


def nameservers_for(choice: str | None, given: Sequence[str], name: str) -> list[str]:
    """The name servers to register ``name`` (A-label) with; refuses what cannot work."""
    typed = [ns.strip().lower().rstrip(".") for ns in given if ns.strip()]
    if choice is None:
        return typed
    if choice == DnsChoice.BUREAU:
        return bureau_nameservers()
    if choice == DnsChoice.LATER:
        return []
    if choice != DnsChoice.OWN:
        raise NameserversInvalid(_("Choose Bureau's DNS, your own name servers, or later."),
                                 field="dns")
    verify_own(typed, name)
    return typed


def verify_own(hosts: list[str], name: str) -> None:
    if len(set(hosts)) < 2:
        raise NameserversInvalid(_("Give at least two different name servers (one per line), "
                                   "or choose Bureau's DNS."))
    if set(hosts) == set(bureau_nameservers()):
        raise NameserversInvalid(_("These are Bureau's name servers: choose Bureau's DNS so "
                                   "that the zone is created and signed for you."))
    resolver = make_resolver(list(getattr(settings, "BUREAU_DNS_RESOLVERS", [])))
    for host in hosts:
        if host == name or host.endswith("." + name):
            raise NameserversInvalid(
                _("%(host)s is inside %(name)s, which does not exist yet: give name servers "
                  "outside it, or choose Bureau's DNS and change later.")
                % {"host": host, "name": name})
        if not resolves(resolver, host):
            raise NameserversInvalid(
                _("%(host)s has no address (A or AAAA): check its spelling, or ask your DNS "
                  "host for the names of its servers.") % {"host": host})


def resolves(resolver: dns.resolver.Resolver, host: str) -> bool:
    for rtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(host + ".", rtype, raise_on_no_answer=False)
        except (dns.exception.DNSException, OSError):
            continue
        if answer.rrset is not None:
            return True
    return False
