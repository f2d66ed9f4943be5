"""`bureau check --deploy`: what a production Bureau must not run with.

Django's own deployment checks run too; Bureau's are errors (the command exits non-zero), each
naming the setting to change (docs/configuration.md describes them all). The embedded demo's
defaults fail on purpose: they are made for one person on one machine.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from bureau.env import env_str, setting

LOOPBACK_NAMES = {"localhost", "testserver"}
PLACEHOLDER_NAMESERVERS = {"ns1.bureau.coop", "ns2.bureau.coop"}
PLACEHOLDER_PARKING = ("bureau-parking.net",)
TOY_EMAIL_BACKENDS = {"console", "locmem", "dummy", "filebased"}


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []

    def error(number: int, message: str, hint: str) -> None:
        found.append(Error(message, hint=hint, id=f"bureau.E{number:03d}"))

    if settings.DEBUG:
        error(1, "DEBUG is on: error pages show code and settings to anyone.",
              "Unset BUREAU_DEBUG (or set it to 0).")
    if settings.DEMO:
        error(2, "BUREAU_DEMO is on: missing keys are generated on the spot.",
              "Set BUREAU_SECRET_KEY and BUREAU_FIELD_KEY (kept safe, backed up) and unset "
              "BUREAU_DEMO.")
    if len(settings.SECRET_KEY) < 50 or settings.SECRET_KEY.startswith("django-insecure"):
        error(3, "The secret key is short or a well-known one.",
              "Set BUREAU_SECRET_KEY to 50 random characters or more.")
    if not env_str("BUREAU_STATE_DIR"):
        error(4, f"BUREAU_STATE_DIR is not set: the state folder is {settings.STATE_DIR}, "
                 "beside the code.",
              "Set BUREAU_STATE_DIR to a folder of its own, such as /var/lib/bureau.")
    elif settings.STATE_DIR.stat().st_mode & 0o077:
        error(5, f"The state folder {settings.STATE_DIR} is open to other users.",
              f"chmod 700 {settings.STATE_DIR}")
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        error(6, "The database is SQLite: one machine, one writer at a time, no standby.",
              "Set DATABASE_URL to a PostgreSQL database (postgres://user@host/name).")
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if not hosts or all(_loopback(h) for h in hosts) or "*" in hosts:
        error(7, f"BUREAU_ALLOWED_HOSTS is {','.join(hosts) or 'empty'}: it must name the "
                 "host names Bureau is reached by, and only those.",
              "Set BUREAU_ALLOWED_HOSTS, e.g. registrar.example.coop.")
    portal = urlsplit(settings.BUREAU_PORTAL_URL)
    if (not env_str("BUREAU_PORTAL_URL") or portal.scheme != "https"
            or _loopback(portal.hostname or "")):
        error(8, f"BUREAU_PORTAL_URL is {settings.BUREAU_PORTAL_URL}: the links in emails "
                 "would not reach the portal.",
              "Set BUREAU_PORTAL_URL to the portal's public https address.")
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend in TOY_EMAIL_BACKENDS:
        error(9, f"Emails are not sent ({settings.EMAIL_BACKEND}).",
              "Set BUREAU_EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend and "
              "BUREAU_EMAIL_HOST and its companions (docs/configuration.md).")
    if "@localhost" in settings.DEFAULT_FROM_EMAIL:
        error(10, f"Emails would come from {settings.DEFAULT_FROM_EMAIL}.",
              "Set BUREAU_FROM_EMAIL to an address of the cooperative's domain.")
    placeholders = PLACEHOLDER_NAMESERVERS & {ns.lower().rstrip(".")
                                              for ns in settings.BUREAU_DNS_NAMESERVERS}
    if placeholders:
        error(11, "BUREAU_DNS_NAMESERVERS holds example names "
                  f"({', '.join(sorted(placeholders))}).",
              "Set BUREAU_DNS_NAMESERVERS to the name servers of Bureau's DNS hosting.")
    parking = [ns for ns in settings.BUREAU_NOTICES_PARKING_NAMESERVERS
               if ns.lower().rstrip(".").endswith(PLACEHOLDER_PARKING)]
    own = {ns.lower().rstrip(".") for ns in settings.BUREAU_DNS_NAMESERVERS}
    foreign = [ns for ns in settings.BUREAU_NOTICES_PARKING_NAMESERVERS
               if ns.lower().rstrip(".") not in own - PLACEHOLDER_NAMESERVERS]
    if parking or foreign:
        error(12, "BUREAU_NOTICES_PARKING_NAMESERVERS names servers that are not Bureau's "
                  f"({', '.join(parking or foreign)}): expired names would be delegated to "
                  "a domain the cooperative may not hold, and nothing there serves their "
                  "parking page.",
              "Leave BUREAU_NOTICES_PARKING_NAMESERVERS unset (Bureau's name servers, "
              "BUREAU_DNS_NAMESERVERS, serve the parking zone).")
    if settings.BUREAU_PDNS_API_KEY and not settings.BUREAU_DNS_PARKING_ADDRESSES:
        error(16, "BUREAU_DNS_PARKING_ADDRESSES is empty: parked names would answer no "
                  "address, and their holders would not see the parking page.",
              "Set BUREAU_DNS_PARKING_ADDRESSES to the addresses of Bureau's web server.")
    if not settings.HTTPS:
        error(13, "BUREAU_HTTPS is off: cookies travel without the Secure flag, no HSTS.",
              "Serve Bureau over HTTPS (docs/deploy.md) and unset BUREAU_HTTPS.")
    if not settings.BUREAU_PDNS_API_KEY:
        found.append(Warning("DNS hosting is off: BUREAU_PDNS_API_KEY is not set.",
                             hint="Set the BUREAU_PDNS_* settings to Bureau's PowerDNS primary.",
                             id="bureau.W001"))
    # The apps' own settings are judged by whether they are set (core imports no app).
    if apps.is_installed("bureau.coop") and not setting("BUREAU_COOP_SIREN"):
        error(14, "The invoices' legal mentions are the examples (SIREN 000 000 000).",
              "Set BUREAU_COOP_NAME, BUREAU_COOP_LEGAL_FORM, BUREAU_COOP_RCS, BUREAU_COOP_SIREN, "
              "BUREAU_COOP_ADDRESS, BUREAU_COOP_VAT_NUMBER and BUREAU_COOP_EMAIL.")
    if apps.is_installed("bureau.payments") and not setting("BUREAU_PAYMENTS_IBAN"):
        error(15, "Members would pay into the example bank account.",
              "Set BUREAU_PAYMENTS_IBAN, BUREAU_PAYMENTS_BIC and BUREAU_PAYMENTS_BENEFICIARY.")
    if apps.is_installed("bureau.registrar.escrow") and not setting("BUREAU_ESCROW_IANA_ID"):
        found.append(Warning("Data escrow is off: BUREAU_ESCROW_IANA_ID is not set.",
                             hint="An ICANN-accredited registrar deposits its data: set "
                                  "the BUREAU_ESCROW_* settings.", id="bureau.W002"))
    return found
