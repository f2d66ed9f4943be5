from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "bureau.registrar.registries"
    label = "registries"
    verbose_name = _("Registries and TLDs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bureau.core import health

        from .probe import registries

        health.register("registries", registries)
