"""Contacts (holder profiles) of the current organisation: list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.notices import contacts as notices_contacts
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission, allows
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import contacts as contact_ops
from bureau.registrar.operations.errors import OperationError

from ..forms import ContactForm
from ..organisations import actor, member_required
from ..outcomes import Failed, attempt


@member_required()
def contact_list(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    return render(request, "web/contact_list.html", {
        "contacts": Contact.objects.filter(organisation=organisation),
        "warnings": notices_contacts.contact_warnings(organisation),
        "unverified": notices_contacts.unverified_ids(organisation)})


@member_required()
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    contact = get_object_or_404(Contact, pk=pk, organisation=organisation) if pk else None
    may_edit = allows(membership.role, Permission.MANAGE_CONTACTS)
    form = ContactForm(request.POST or None, instance=contact, organisation=organisation)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in contact_ops.FIELDS}
            try:
                saved = attempt(form, lambda: contact_ops.save_contact(
                    organisation=organisation, actor=actor(request),
                    changes=changes, contact=contact), context={"op": "save-contact"})
            except Failed:
                pass
            else:
                messages.success(request, _("Contact “%(name)s” saved.")
                                 % {"name": saved.contact.name})
                if saved.registries_not_updated:
                    messages.warning(request, _(
                        "These registries could not be told of the change now: %(names)s. "
                        "Save the contact again later to send it.")
                        % {"names": ", ".join(saved.registries_not_updated)})
                return redirect("web:contacts")
    return render(request, "web/contact_form.html", {"form": form, "contact": contact,
                                                     "may_edit": may_edit},
                  status=400 if request.method == "POST" else 200)


@member_required(Permission.MANAGE_CONTACTS)
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    contact = get_object_or_404(Contact, pk=pk, organisation=membership.organisation)
    try:
        contact_ops.delete_contact(actor=actor(request), contact=contact)
    except OperationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Contact “%(name)s” deleted.") % {"name": contact.name})
    return redirect("web:contacts")
