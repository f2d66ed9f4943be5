"""The Django app of DNS hosting. The pure modules of `bureau.dns` stay importable without
Django; the Django side lives in apps.py, models.py, admin.py, conf.py, operations/, tasks.py,
api.py, views.py and urls.py."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DnsConfig(AppConfig):
    name = "bureau.dns"
    label = "dns"
    verbose_name = _("DNS hosting")
    default_auto_field = "django.db.models.BigAutoField"
    portal_nav = [("dns:zones", _("DNS"))]

    def ready(self) -> None:
        # A name registered with Bureau's name servers gets its zone (and its DS sent).
        from bureau.dns.operations.delegation import connect_delegation_hook
        from bureau.dns.operations.hosting import connect_registration_hook

        connect_registration_hook()
        # Bureau's DS follows the name servers (removed when a name leaves them).
        connect_delegation_hook()
        # /health/ asks whether the PowerDNS primary answers.
        from bureau.core import health
        from bureau.dns.probe import powerdns

        health.register("powerdns", powerdns)
