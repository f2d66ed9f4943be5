"""Organisations: create, people and roles, invitations, security policy, audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.audit.log import events_for_owner
from bureau.audit.models import Invitation
from bureau.audit.operations import members
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.operations.errors import OperationError

from .. import organisations
from ..forms import InviteForm, OrganisationForm, RoleForm, SecurityForm
from ..organisations import actor, member_required
from .search import resume_wanted


def show_error(form: object, exc: OperationError) -> None:
    """Put an operation's refusal on the field it names (or on the whole form)."""
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, exc.message)  # type: ignore[attr-defined]


@login_required
def create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = members.create_organisation(actor=actor(request),
                                                   name=form.cleaned_data["name"])
        organisations.switch(request, organisation.pk)
        messages.success(request, _("%(org)s is created; you are its owner.")
                         % {"org": organisation.name})
        return resume_wanted(request) or redirect("web:domains")
    return render(request, "web/organisation_new.html", {"form": form})


def org_context(organisation: Organisation, invite_form: InviteForm) -> dict[str, object]:
    return {
        "organisation": organisation,
        "people": organisation.memberships.select_related("user").order_by("user__email"),
        "invitations": [i for i in organisation.invitations.all() if i.is_open],
        "invite_form": invite_form,
        "policy": members.policy_of(organisation),
        "roles": Role.choices,
    }


@member_required()
def detail(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    return render(request, "web/organisation.html", org_context(organisation, InviteForm()))


@member_required(Permission.MANAGE_MEMBERS)
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = members.invite(organisation=organisation, actor=actor(request),
                                        email=form.cleaned_data["email"],
                                        role=form.cleaned_data["role"],
                                        language=form.cleaned_data["language"],
                                        site=request.build_absolute_uri("/"))
        except OperationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.")
                             % {"email": invitation.email})
            return redirect("web:organisation")
    return render(request, "web/organisation.html", org_context(organisation, form), status=400)


@member_required(Permission.MANAGE_MEMBERS)
@require_POST
def withdraw_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    mine: Membership = request.membership  # type: ignore[attr-defined]
    # Only the current organisation's invitations: another's answers 404.
    invitation = get_object_or_404(Invitation, pk=pk, organisation=mine.organisation)
    try:
        members.withdraw_invitation(invitation=invitation, actor=actor(request))
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation of %(email)s is withdrawn; its link no "
                                    "longer works.") % {"email": invitation.email})
    return redirect("web:organisation")


@member_required(Permission.MANAGE_MEMBERS)
@require_POST
def membership(request: HttpRequest, pk: int) -> HttpResponse:
    mine: Membership = request.membership  # type: ignore[attr-defined]
    # Only people of the current organisation: another's membership answers 404.
    target = get_object_or_404(Membership.objects.select_related("user", "organisation"),
                               pk=pk, organisation=mine.organisation)
    try:
        if request.POST.get("action") == "remove":
            members.remove(membership=target, actor=actor(request))
            messages.success(request, _("%(person)s was removed.")
                             % {"person": target.user.email})
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose one of the roles listed."))
            else:
                members.change_role(membership=target, actor=actor(request),
                                    role=form.cleaned_data["role"])
                messages.success(request, _("%(person)s is now %(role)s.")
                                 % {"person": target.user.email,
                                    "role": target.get_role_display()})
    except OperationError as exc:
        messages.error(request, exc.message)
    return redirect("web:organisation")


@member_required(Permission.MANAGE_SECURITY)
def security(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    policy = members.policy_of(membership.organisation)
    form = SecurityForm(request.POST or None, initial={"require_2fa": policy.require_2fa})
    if request.method == "POST" and form.is_valid():
        members.set_require_2fa(organisation=membership.organisation, actor=actor(request),
                                required=form.cleaned_data["require_2fa"])
        messages.success(request, _("Security settings saved."))
        return redirect("web:organisation")
    return render(request, "web/organisation_security.html", {"form": form})


@member_required(Permission.MANAGE_SECURITY)
def audit_log(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    events = events_for_owner(membership.organisation)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page": page})


@login_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = members.open_invitation(token)
    if invitation is None:
        return render(request, "web/invitation_invalid.html", status=404)
    if request.method == "POST":
        try:
            joined = members.accept(invitation=invitation, actor=actor(request))
        except OperationError as exc:
            messages.error(request, exc.message)
        else:
            organisations.switch(request, joined.organisation_id)
            messages.success(request, _("Welcome to %(org)s.")
                             % {"org": joined.organisation.name})
            return redirect("web:domains")
    return render(request, "web/invitation.html", {"invitation": invitation})
