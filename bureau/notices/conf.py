"""The operator's settings for notices, with their defaults (see bureau/settings.py)."""

from __future__ import annotations

from django.conf import settings


def reminder_days() -> list[int]:
    """Days before expiry a reminder is due; negative numbers are days after expiry."""
    days: list[int] = getattr(settings, "BUREAU_NOTICES_REMINDER_DAYS", [60, 30, 7, 1, -2])
    return sorted({int(d) for d in days}, reverse=True)


def grace_days() -> int:
    """Days after expiry during which Bureau keeps the name renewable at the renewal price
    (capped by each TLD's auto-renew grace period; ERRP wants at least 8)."""
    return int(getattr(settings, "BUREAU_NOTICES_GRACE_DAYS", 30))


def auto_renew_lead_days() -> int:
    """Auto-renewal runs this many days before expiry, leaving time to top up on failure."""
    return int(getattr(settings, "BUREAU_NOTICES_AUTO_RENEW_DAYS", 14))


def parking_nameservers() -> list[str]:
    return list(getattr(settings, "BUREAU_NOTICES_PARKING_NAMESERVERS",
                        ["ns1.bureau-parking.net", "ns2.bureau-parking.net"]))


def dns_parking_hook() -> str:
    """Dotted path of the DNS app's parking provider (``is_hosted``, ``park``, ``unpark``);
    empty: parking always changes the name servers at the registry."""
    return str(getattr(settings, "BUREAU_NOTICES_DNS_PARKING", ""))


def contact_policy() -> str:
    """"warn" (flag and tell the operator) or "suspend" (also clientHold) for holders whose
    email is not verified in time (WHOIS accuracy program)."""
    policy = str(getattr(settings, "BUREAU_NOTICES_CONTACT_POLICY", "warn"))
    if policy not in ("warn", "suspend"):
        raise ValueError(f"BUREAU_NOTICES_CONTACT_POLICY must be warn or suspend, not {policy}")
    return policy


def verify_days() -> int:
    return int(getattr(settings, "BUREAU_NOTICES_VERIFY_DAYS", 15))


def confirm_every_days() -> int:
    return int(getattr(settings, "BUREAU_NOTICES_CONFIRM_EVERY_DAYS", 365))


def portal_url() -> str:
    return str(getattr(settings, "BUREAU_PORTAL_URL", "http://127.0.0.1:8000")).rstrip("/")


def from_email() -> str:
    return str(getattr(settings, "BUREAU_NOTICES_FROM", None) or settings.DEFAULT_FROM_EMAIL)
