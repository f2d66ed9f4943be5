"""Operator views of DNS hosting: zones with their records, keys and health; history is
read-only (append-only)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    DnssecKey,
    HealthCheck,
    Record,
    Rollover,
    Template,
    TemplateApplication,
    Zone,
    ZoneChange,
)


class RecordInline(admin.TabularInline):
    model = Record
    extra = 0
    fields = ("name", "rtype", "ttl", "content", "application")
    readonly_fields = fields
    can_delete = False


class KeyInline(admin.TabularInline):
    model = DnssecKey
    extra = 0
    fields = ("powerdns_id", "algorithm", "keytype", "state", "ds", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "domain", "publish_state", "serial", "ds_state")
    list_filter = ("publish_state", "ds_state", "dnssec")
    search_fields = ("name",)
    readonly_fields = ("serial", "ds_wanted", "created_at", "updated_at")
    inlines = [RecordInline, KeyInline]


@admin.register(ZoneChange)
class ZoneChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "zone_name", "kind", "summary", "actor", "actor_label", "serial",
                    "published")
    list_filter = ("kind", "published")
    search_fields = ("zone_name", "summary")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind")


@admin.register(TemplateApplication)
class TemplateApplicationAdmin(admin.ModelAdmin):
    list_display = ("template", "zone", "applied_at", "removed_at")


@admin.register(Rollover)
class RolloverAdmin(admin.ModelAdmin):
    list_display = ("zone", "step", "step_at", "started_at")


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ("zone", "checked_at", "ok")
    list_filter = ("ok",)
