from typing import Any

from django.contrib import admin

from .models import BundledName, Domain, DomainEvent, DSRecord, Host


class DSRecordInline(admin.TabularInline):
    model = DSRecord
    extra = 0


class BundledNameInline(admin.TabularInline):
    model = BundledName
    extra = 0
    readonly_fields = ["name", "u_label", "recorded_at"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "state", "expires_at", "tld"]
    list_filter = ["state", "tld"]
    search_fields = ["name"]
    exclude = ["auth_info"]
    inlines = [DSRecordInline, BundledNameInline]


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ["name", "registry", "organisation"]
    search_fields = ["name"]


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    """History is read-only, here as everywhere."""

    list_display = ["at", "domain_name", "operation", "outcome", "actor", "cl_trid", "sv_trid"]
    list_filter = ["operation", "outcome"]
    search_fields = ["domain_name", "cl_trid", "sv_trid"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False
