"""Name servers as registry host objects (RFC 5732): most registries want a host object for
every name server a domain lists. Out-of-zone hosts are created without addresses; a host
under a TLD of the same registry needs its addresses (glue), given with ``create_host``.

Errors: InvalidName (field "nameservers"): an in-zone host that does not exist yet and has no
addresses; RegistryRefused; OutcomePending.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain, Host
from bureau.registrar.domains.names import split_tld
from bureau.registrar.registries.models import Registry

from .common import send
from .errors import InvalidName, OutcomePending, RegistryRefused


def ensure_hosts(registry: Registry, organisation: Organisation, names: Sequence[str]) -> None:
    """Create the host objects that the registry does not have yet (A-labels expected)."""
    if not names:
        return
    outcome = send(registry, epp.HostCheck(list(names)))
    if outcome.response is None:
        raise OutcomePending(outcome.message)
    data: epp.HostCheckData = outcome.response.data
    missing = [r.name for r in data.results if r.available]
    served = set(registry.tlds.values_list("name", flat=True))
    for name in missing:
        if split_tld(name)[1] in served:
            raise InvalidName(
                _("The name server %(name)s is inside a zone of this registry: create it with "
                  "its IP addresses first.") % {"name": name}, field="nameservers")
        create_host(registry, organisation, name, ())


def create_host(registry: Registry, organisation: Organisation, name: str,
                addresses: Sequence[str], superordinate: Domain | None = None) -> Host:
    outcome = send(registry, epp.HostCreate(name, addresses=list(addresses)))
    if outcome.failure is not None and outcome.failure.code != 2302:
        raise RegistryRefused(
            _("The registry refused the name server %(name)s: %(reason)s")
            % {"name": name, "reason": outcome.failure.reason or outcome.message},
            outcome.failure.code, field="nameservers")
    if outcome.unknown is not None:
        check = send(registry, epp.HostInfo(name))
        if check.response is None:
            raise OutcomePending(outcome.message)
    with contextlib.suppress(IntegrityError), transaction.atomic():
        Host.objects.create(name=name, registry=registry, organisation=organisation,
                            superordinate=superordinate, addresses=list(addresses))
    return Host.objects.get(registry=registry, name=name)
