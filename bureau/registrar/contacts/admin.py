from django.contrib import admin

from .models import Contact, ContactHandle


class ContactHandleInline(admin.TabularInline):
    model = ContactHandle
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "email", "country", "organisation", "verified_at"]
    search_fields = ["name", "org", "email"]
    list_filter = ["country"]
    inlines = [ContactHandleInline]
