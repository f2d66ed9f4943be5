from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "bureau.notices"
    label = "notices"
    verbose_name = _("Notices to holders")
    default_auto_field = "django.db.models.BigAutoField"
    portal_nav = [("notices:fees", _("Fees"))]

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the contact verification hooks)
