"""The operator's views: notices sent, delivery failures, flagged holders, parkings."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.registrar.domains.models import Domain, DomainState

from .mail import stale_claims
from .models import (
    ContactProfile,
    DeliveryFailure,
    Goodbye,
    Notice,
    Parking,
    RenewalChoice,
    Term,
)


class StaleClaimFilter(admin.SimpleListFilter):
    """Claimed over an hour ago and still "being sent": whether the mail went out is
    unknown, and the job will not send it again by itself."""

    title = _("stale claims")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", str(_("Being sent for over an hour")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(pk__in=stale_claims(clock.now()).values("pk"))
        return queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "status", "language", "created_at", "sent_at"]
    list_filter = [StaleClaimFilter, "kind", "status", "language"]
    search_fields = ["key", "subject"]
    readonly_fields = [f.name for f in Notice._meta.fields]


@admin.register(DeliveryFailure)
class DeliveryFailureAdmin(admin.ModelAdmin):
    list_display = ["address", "source", "at", "resolved_at"]
    list_filter = ["source", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["address", "reason"]


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flagged")
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", str(_("Not verified in time")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(flagged_at__isnull=False)
        return queryset


@admin.register(ContactProfile)
class ContactProfileAdmin(admin.ModelAdmin):
    list_display = ["contact", "language", "verified_email", "verified_at", "flagged_at",
                    "suspended", "held_names"]
    list_filter = [FlaggedFilter, "suspended", "language"]
    search_fields = ["contact__name", "contact__email"]

    @admin.display(description=_("names held"))
    def held_names(self, profile: ContactProfile) -> str:
        names = Domain.objects.filter(registrant=profile.contact, state=DomainState.ACTIVE)
        return ", ".join(d.u_label for d in names)


admin.site.register(RenewalChoice)
admin.site.register(Term)
admin.site.register(Parking)
admin.site.register(Goodbye)
