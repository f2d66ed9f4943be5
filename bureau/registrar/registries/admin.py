from typing import Any

from django.contrib import admin

from .models import LoginEvent, Registry, Tld


class TldInline(admin.TabularInline):
    model = Tld
    extra = 0
    fields = ["name", "currency", "create_price", "renew_price", "transfer_price", "bundling"]


@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "port", "client_id", "greeting_at", "is_active"]
    readonly_fields = ["greeting_objects", "greeting_extensions", "greeting_at"]
    inlines = [TldInline]


@admin.register(Tld)
class TldAdmin(admin.ModelAdmin):
    list_display = ["name", "registry", "create_price", "renew_price", "bundling", "is_active"]
    list_filter = ["registry", "bundling", "is_active"]


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """What registries said at login (RFC 8807): read-only, as they said it."""

    list_display = ["last_seen_at", "registry", "level", "type", "expires_at", "message",
                    "first_seen_at", "emailed"]
    list_filter = ["registry", "level", "type"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
