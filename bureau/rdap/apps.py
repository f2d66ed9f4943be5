from django.apps import AppConfig


class RdapConfig(AppConfig):
    name = "bureau.rdap"
    label = "rdap"
    verbose_name = "RDAP"
