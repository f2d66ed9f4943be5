"""RDAP settings: from Django settings when set there, else the environment, else a default.

- ``BUREAU_RDAP_BASE_URL`` the public base URL of Bureau's RDAP service, ending with ``/``
  (default ``$BUREAU_PORTAL_URL/rdap/``); the sandbox registry's `related` links point here
- ``BUREAU_RDAP_HOST`` a host name answered with RDAP at its root (``rdap.example.coop``);
  empty (default): RDAP is served under ``/rdap/`` only
- ``BUREAU_RDAP_IANA_ID`` the registrar's IANA ID (default ``BUREAU_ESCROW_IANA_ID``)
- ``BUREAU_RDAP_REGISTRAR_NAME`` (default ``Bureau``), ``BUREAU_RDAP_REGISTRAR_URL``
- ``BUREAU_RDAP_ABUSE_EMAIL``, ``BUREAU_RDAP_ABUSE_PHONE`` (``+33.123456789``): the abuse
  contact the profile requires
- ``BUREAU_RDAP_TERMS_URL`` the terms of service of the RDAP service
- ``BUREAU_RDAP_CONTACT_URL`` where the public reaches a holder whose email is redacted;
  ``{domain}`` is replaced by the name (default: a ``mailto:`` to the abuse address)
- ``BUREAU_RDAP_BOOTSTRAP_FILE`` an RFC 9224 ``dns.json`` naming each registry's RDAP base
  URL, for the `related` link (IANA's file, or the sandbox's)
- ``BUREAU_RDAP_RATE`` lookups per client address (default ``60/m``)
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

from bureau.env import env_str


@cache  # read a dozen times by each answer; settings change only in tests, which say so
def get(name: str, default: str = "") -> str:
    value: Any = getattr(settings, name, None)
    if value is None:
        value = env_str(name, default)
    return str(value)


def _forget(**_kwargs: Any) -> None:
    get.cache_clear()


setting_changed.connect(_forget)


def base_url() -> str:
    url = get("BUREAU_RDAP_BASE_URL") or get("BUREAU_PORTAL_URL").rstrip("/") + "/rdap/"
    return url if url.endswith("/") else url + "/"


def iana_id() -> str:
    return get("BUREAU_RDAP_IANA_ID") or get("BUREAU_ESCROW_IANA_ID")


def abuse_email() -> str:
    return get("BUREAU_RDAP_ABUSE_EMAIL", "abuse@localhost")


def contact_url(domain: str) -> str:
    template = get("BUREAU_RDAP_CONTACT_URL")
    if template:
        return template.replace("{domain}", domain)
    return f"mailto:{abuse_email()}?subject={domain}"
