"""The operator sees deposits, alerts and the threshold in the admin (read-only records)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Deposit, EscrowAlert
from .threshold import threshold_report


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deposit)
class DepositAdmin(ReadOnly):
    list_display = ("date", "kind", "state", "records", "profile", "delivery_attempts",
                    "started_at", "delivered_at")
    list_filter = ("kind", "state")
    readonly_fields = ("kind", "date", "profile", "compression", "folder", "state", "files",
                       "hash_file", "records", "skipped_redemption", "started_at",
                       "written_at", "delivered_at", "verified_at", "delivery_attempts",
                       "error")

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> Any:
        # The threshold is shown above the list of deposits.
        from django.contrib import messages

        messages.info(request, _("Escrow threshold: %s") % threshold_report().text())
        return super().changelist_view(request, extra_context)


@admin.register(EscrowAlert)
class EscrowAlertAdmin(ReadOnly):
    list_display = ("kind", "raised_at", "last_seen_at", "resolved_at", "emailed", "message")
    list_filter = ("kind",)
    readonly_fields = ("kind", "message", "raised_at", "last_seen_at", "resolved_at", "emailed")
