from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "bureau.registrar.billing"
    label = "billing"
    verbose_name = _("Orders and balances")
    default_auto_field = "django.db.models.BigAutoField"
