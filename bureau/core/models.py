"""The scheduler's memory (when each periodic job last ran, shared by all workers) and the
heartbeats the health check reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    last_result_id = models.CharField(_("last task result id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)


class Heartbeat(models.Model):
    """A sign of life read by /health/: each running worker's ("worker:<host>:<pid>:<worker
    id>", every few seconds) and each registry's last successful EPP exchange ("epp:<registry
    id>")."""

    name = models.CharField(_("name"), max_length=200, primary_key=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
