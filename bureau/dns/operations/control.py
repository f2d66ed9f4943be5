"""Who may host what on Bureau's name servers.

A zone is hosted only for:
- a name the organisation holds at Bureau (or a name under it: a sub-zone);
- a name registered elsewhere whose control the organisation proves: a TXT record
  ``_bureau-challenge.<name>`` holding the organisation's token, read through DNS
  (``conf.resolver()``) before anything is stored.
Never for a public suffix (the Public Suffix List, or a TLD Bureau sells) nor for a name at,
above or under a name another organisation holds at Bureau or hosts here.

The token is derived from Bureau's secret, the organisation and the name: nothing is stored
to ask for it, and a refusal changes nothing."""

from __future__ import annotations

import hashlib
import hmac

import dns.exception
import dns.resolver
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureau.dns import conf, suffixes
from bureau.dns.models import PublishState, Zone
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Tld

from .errors import ControlNotProven, NameClaimed, PublicSuffix

CHALLENGE_LABEL = "_bureau-challenge"
GONE = [DomainState.DELETED, DomainState.TRANSFERRED_OUT]


def challenge_name(name: str) -> str:
    return f"{CHALLENGE_LABEL}.{name.rstrip('.')}."


def challenge_token(organisation: Organisation, name: str) -> str:
    message = f"dns-challenge:{organisation.pk}:{name.rstrip('.').lower()}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"bureau-verify={digest[:32]}"


def ancestors(name: str) -> list[str]:
    """``a.b.example.org.`` → ``b.example.org.``, ``example.org.``, ``org.`` (absolute)."""
    labels = name.rstrip(".").split(".")
    return [".".join(labels[i:]) + "." for i in range(1, len(labels))]


def verify_not_public(name: str) -> None:
    bare = name.rstrip(".")
    sold = Tld.objects.filter(name__iexact=bare).exists()
    if sold or suffixes.is_public_suffix(conf.public_suffixes(), name):
        raise PublicSuffix(_("%(name)s is a public suffix: names under it belong to many "
                             "people. Host a name registered under it instead, for example "
                             "yourname.%(name)s.") % {"name": bare})


def held_domains(name: str) -> tuple[list[Domain], list[Domain]]:
    """Live names at Bureau equal to or above ``name`` (its holders), and names under it."""
    bare = name.rstrip(".")
    live = Domain.objects.exclude(state__in=GONE)
    # A registration holds each of its names (RFC 9095: its bundled names too).
    names = [bare] + [a.rstrip(".") for a in ancestors(name)]
    above = list(live.filter(Q(name__in=names) | Q(bundled_names__name__in=names)).distinct())
    below = list(live.filter(Q(name__endswith="." + bare)
                             | Q(bundled_names__name__endswith="." + bare)).distinct())
    return above, below


def verify_not_claimed(organisation: Organisation, name: str) -> None:
    """Another organisation's name, a name at, above or under it, or a zone nested in (or
    around) another organisation's zone: Bureau's servers would answer for names that are
    not yours."""
    bare = name.rstrip(".")
    above, below = held_domains(name)
    for domain in above + below:
        if domain.organisation_id != organisation.pk:
            if bare in domain.names:
                message = _("%(name)s is held by another organisation at Bureau: only its "
                            "holder can host it.")
            else:
                message = _("%(name)s overlaps %(zone)s, held by another organisation at "
                            "Bureau: ask its holder to delegate it, or host another name.")
            raise NameClaimed(message % {"name": bare, "zone": domain.u_label})
    others = Zone.objects.exclude(organisation=organisation).exclude(
        publish_state=PublishState.WITHDRAWN)
    clash = others.filter(Q(name__in=ancestors(name)) | Q(name__endswith="." + name)).first()
    if clash is not None:
        raise NameClaimed(_("%(name)s overlaps %(zone)s, hosted for another organisation: "
                            "ask its holder to delegate it, or host another name.")
                          % {"name": bare, "zone": clash.u_label})


def holds(organisation: Organisation, name: str) -> bool:
    """The organisation holds ``name`` at Bureau, or a name above it, or hosts a zone above
    it."""
    above, _below = held_domains(name)
    if any(d.organisation_id == organisation.pk for d in above):
        return True
    # A sub-zone of a zone the organisation already hosts (proven or held).
    return Zone.objects.filter(organisation=organisation, name__in=ancestors(name)).exclude(
        publish_state=PublishState.WITHDRAWN).exists()


def challenge_published(organisation: Organisation, name: str) -> bool:
    token = challenge_token(organisation, name)
    try:
        answer = conf.resolver().resolve(challenge_name(name), "TXT", raise_on_no_answer=False)
    except (dns.exception.DNSException, OSError):
        return False
    if answer.rrset is None:
        return False
    return any(b"".join(r.strings).decode("utf-8", "replace").strip() == token
               for r in answer.rrset)


def verify_may_host(organisation: Organisation, name: str) -> None:
    """Raise what to fix unless the organisation may host ``name`` (absolute A-label)."""
    verify_not_public(name)
    verify_not_claimed(organisation, name)
    if holds(organisation, name) or challenge_published(organisation, name):
        return
    token = challenge_token(organisation, name)
    raise ControlNotProven(
        _("%(name)s is not held by your organisation at Bureau. To host it here, prove that "
          "you control it: publish the TXT record %(owner)s with the value \"%(token)s\" "
          "with your current DNS host, wait for it to be served, then try again.")
        % {"name": name.rstrip("."), "owner": challenge_name(name), "token": token},
        owner=challenge_name(name), token=token)
