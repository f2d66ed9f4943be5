"""Who hears about a domain, and in which language."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models.functions import Lower

from bureau.registrar.accounts.models import PersonPreferences, Role
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain

from .loaded import loaded, prefetched
from .models import ContactProfile


def language_of(contact: Contact | None) -> str:
    if contact is None:
        return str(settings.LANGUAGE_CODE)
    known, profile = loaded(contact, "profile")
    if not known:
        profile = ContactProfile.objects.filter(contact=contact).first()
    return str(profile.language) if profile else str(settings.LANGUAGE_CODE)


def billing_people(domain: Domain) -> list[str]:
    """The organisation's members with the billing role (its owners when it has none)."""
    organisation = domain.organisation
    memberships = (organisation.memberships.all() if prefetched(organisation, "memberships")
                   else organisation.memberships.select_related("user"))
    billing = [m.user.email for m in memberships if m.role == Role.BILLING and m.user.email]
    if billing:
        return billing
    return [m.user.email for m in memberships if m.role == Role.OWNER and m.user.email]


def domain_recipients(domain: Domain) -> list[str]:
    """The holder, the billing contact and the billing people, each address once."""
    seen: dict[str, str] = {}
    candidates = [c.email for c in (domain.registrant, domain.billing_contact) if c]
    for address in [*candidates, *billing_people(domain)]:
        seen.setdefault(address.strip().lower(), address.strip())
    return list(seen.values())


def chosen_languages(addresses: Iterable[str]) -> dict[str, str]:
    """{address in lower case: language} of the recipients who are people of Bureau and chose
    the language of their emails: each gets a notice in theirs (the others in the holder's)."""
    lowered = {address.strip().lower() for address in addresses if address.strip()}
    if not lowered:
        return {}
    return dict(PersonPreferences.objects.annotate(address=Lower("user__email"))
                .filter(address__in=lowered).values_list("address", "language"))
