from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DomainsConfig(AppConfig):
    name = "bureau.registrar.domains"
    label = "domains"
    verbose_name = _("Domains")
    default_auto_field = "django.db.models.BigAutoField"
