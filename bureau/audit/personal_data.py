"""A person's data, for them to take away (GDPR articles 15 and 20): one JSON document.

``export`` asks for a recent authentication (a stolen session must not carry everything
off) and records the export in the security log. Secrets (password hash, TOTP seeds,
recovery codes, token hashes) are never included: the person has them or can renew them.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User

from bureau.core import clock
from bureau.core.credentials import Credential, require_recent_authentication
from bureau.registrar.accounts.models import Membership, PersonPreferences
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain

from .models import SecurityEvent


def when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export(user: User, credential: Credential | None) -> dict[str, Any]:
    require_recent_authentication(credential)
    addresses = list(EmailAddress.objects.filter(user=user).order_by("email"))
    emails = {a.email.lower() for a in addresses} | {user.email.lower()}
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    organisations = [m.organisation for m in memberships]
    # The holder profiles that are this person: their organisations' contacts at their address.
    contacts = [c for c in Contact.objects.filter(organisation__in=organisations)
                .select_related("organisation").order_by("pk") if c.email.lower() in emails]
    return {
        "exported_at": when(clock.now()),
        "account": {"email": user.email, "first_name": user.first_name,
                    "last_name": user.last_name, "joined": when(user.date_joined),
                    "last_login": when(user.last_login),
                    "language": PersonPreferences.objects.filter(user=user).values_list(
                        "language", flat=True).first() or ""},
        "email_addresses": [{"email": a.email, "verified": a.verified, "primary": a.primary}
                            for a in addresses],
        "second_factors": [{"type": a.type, "created": when(a.created_at),
                            "last_used": when(a.last_used_at)}
                           for a in Authenticator.objects.filter(user=user)],
        "organisations": [{"name": m.organisation.name, "role": m.role,
                           "joined": when(m.joined_at)} for m in memberships],
        "contacts": [{"organisation": c.organisation.name, "name": c.name, "org": c.org,
                      "email": c.email, "phone": c.phone, "street": c.street, "city": c.city,
                      "postal_code": c.postal_code, "country": str(c.country),
                      "published": c.disclose} for c in contacts],
        "domains": [{"name": d.u_label, "organisation": d.organisation.name,
                     "state": d.state, "expires": when(d.expires_at)}
                    for d in Domain.objects.filter(organisation__in=organisations)
                    .select_related("organisation").order_by("name")],
        "security_log": [{"at": when(e.at), "event": e.kind, "ip_address": e.ip_address,
                          "browser": e.user_agent}
                         for e in SecurityEvent.objects.filter(user=user).order_by("at")],
    }
