from typing import Any

from django.contrib import admin

from .models import Entry, Journal, LedgerAccount, Order


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money moves only through bureau.registrar.billing.ledger, never by hand here."""

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "organisation", "operation", "domain_name", "amount",
                    "currency", "state"]
    list_filter = ["state", "operation"]
    search_fields = ["domain_name", "cl_trid"]


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["kind", "organisation", "currency", "balance"]


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False


@admin.register(Journal)
class JournalAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "kind", "order", "memo"]
    list_filter = ["kind"]
    inlines = [EntryInline]
