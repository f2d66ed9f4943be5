from django.contrib import admin

from .models import Registry, Tld


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
