from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscrowConfig(AppConfig):
    name = "bureau.registrar.escrow"
    label = "escrow"
    verbose_name = _("Data escrow")
    default_auto_field = "django.db.models.BigAutoField"
