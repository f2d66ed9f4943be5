from django.contrib import admin

from bureau.registrar.billing.admin import ReadOnlyAdmin

from .models import BankLine, StatementImport, WaitingOrder


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "filename", "format", "lines", "credited", "waiting",
                    "debits", "known", "imported_by"]


@admin.register(BankLine)
class BankLineAdmin(ReadOnlyAdmin):
    """Lines are credited through the portal's queue (one operation), never edited here."""

    list_display = ["booked_on", "amount", "currency", "credit", "name", "state",
                    "organisation", "matched_by"]
    list_filter = ["state", "credit", "matched_by"]
    search_fields = ["entry_ref", "name", "remittance", "reference"]


@admin.register(WaitingOrder)
class WaitingOrderAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organisation", "name", "price", "currency", "state"]
    list_filter = ["state"]
