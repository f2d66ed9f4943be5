from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "bureau.web"
    label = "web"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"
    portal_nav = [
        ("web:domains", _("Domains")),
        ("web:search", _("Search")),
        ("web:contacts", _("Contacts")),
        ("web:billing", _("Balance")),
        ("web:organisation", _("Organisation")),
    ]
