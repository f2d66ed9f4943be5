from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    name = "bureau.coop"
    label = "coop"
    verbose_name = _("Cooperative")
    default_auto_field = "django.db.models.BigAutoField"
    portal_nav = [("coop:home", _("Cooperative"))]

    def ready(self) -> None:
        # Every payment, top-up and refund written to the ledger gets its invoice or credit
        # note, numbered in the same transaction.
        # These settle what was voted (price lists, budgets) in the closing transaction.
        from bureau.coop.operations import pricing, proposals  # noqa: F401
        from bureau.coop.operations.invoicing import connect_ledger_hook
        from bureau.coop.pricing import prices_for
        from bureau.registrar.operations.check import use_price_source

        connect_ledger_hook()
        # What the members adopted is what the registrar charges.
        use_price_source(prices_for)
