from django.apps import AppConfig


class CliConfig(AppConfig):
    """The command line: an edge over the apps' operations, like the portal and the API."""

    name = "bureau.cli"
    label = "cli"
