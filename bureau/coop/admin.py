"""Operator admin. Share movements, votes, participations and invoices are read-only here:
they change only through bureau.coop.operations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bureau.coop.models import (
    Ballot,
    BallotOption,
    BallotState,
    College,
    Comment,
    Invoice,
    Member,
    PriceItem,
    PriceList,
    ShareMovement,
)
from bureau.coop.operations import ballots, pricing
from bureau.coop.operations.errors import CoopError
from bureau.core import clock


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(College)
class CollegeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position", "is_open")


class MovementInline(admin.TabularInline):
    model = ShareMovement
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "shares", "unit_value", "currency", "at", "reason", "recorded_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(ReadOnly):
    list_display = ("number", "display_name", "college", "status", "joined_at", "left_at")
    list_filter = ("college", "status")
    search_fields = ("display_name", "user__email")
    inlines = [MovementInline]


@admin.register(ShareMovement)
class ShareMovementAdmin(ReadOnly):
    list_display = ("member", "kind", "shares", "unit_value", "at")


class OptionInline(admin.TabularInline):
    model = BallotOption
    extra = 0


class BallotForm(forms.ModelForm):
    class Meta:
        model = Ballot
        fields = "__all__"

    def clean_college_weights(self) -> Any:
        weights = self.cleaned_data.get("college_weights") or {}
        try:
            ballots.verify_weights(weights)
        except CoopError as exc:
            raise forms.ValidationError(exc.message) from exc
        return weights

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_at") and data.get("closes_at") and \
                data["closes_at"] <= data["opens_at"]:
            raise forms.ValidationError(_("A ballot must close after it opens."))
        return data


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    form = BallotForm
    list_display = ("title", "opens_at", "closes_at", "state", "secret", "quorum_percent")
    readonly_fields = ("state", "electorate", "result", "commitment", "closed_at")
    inlines = [OptionInline]
    actions = ["close_ballots"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once open, a ballot's terms do not change (create it with its options, in one go).
        if obj is not None and obj.state != BallotState.DRAFT:
            return [f.name for f in Ballot._meta.fields]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Ballot, form: Any, change: bool) -> None:
        if obj.state == BallotState.DRAFT and obj.closes_at > obj.opens_at:
            obj.state = BallotState.OPEN
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Close and count (ballots whose time is up)"))
    def close_ballots(self, request: HttpRequest, queryset: QuerySet[Ballot]) -> None:
        for ballot in queryset:
            try:
                ballots.close(ballot)
            except CoopError as exc:
                messages.error(request, f"{ballot}: {exc.message}")


class PriceItemInline(admin.TabularInline):
    model = PriceItem
    extra = 1


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    readonly_fields = ("author", "text", "at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("title", "effective_from", "state", "ballot")
    readonly_fields = ("state", "ballot", "adopted_at")
    inlines = [PriceItemInline, CommentInline]
    actions = ["put_to_vote"]

    @admin.action(description=_("Put to vote (opens now, closes in 14 days)"))
    def put_to_vote(self, request: HttpRequest, queryset: QuerySet[PriceList]) -> None:
        now = clock.now()
        for plist in queryset:
            try:
                pricing.put_to_vote(plist, opens_at=now, closes_at=now + timedelta(days=14),
                                    by=request.user)
            except CoopError as exc:
                messages.error(request, f"{plist}: {exc.message}")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ("number", "kind", "organisation", "issued_at", "total_ttc", "currency")
    search_fields = ("number", "organisation__name")
