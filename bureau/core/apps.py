from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bureau.core"
    label = "core"
    verbose_name = _("Bureau core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bureau.core import checks  # noqa: F401  (registers `check --deploy`'s checks)

        if getattr(settings, "BUREAU_CLOCK_FOLLOWS_SANDBOX", False):
            from bureau.core import clock
            from bureau.core.sandboxclock import sandbox_clock

            clock.follow(sandbox_clock(settings.STATE_DIR / "sandbox"))
