"""Personal API tokens: list, create (the token shown once), revoke. The rules live in
``bureau.audit.operations.tokens`` (the API's token endpoints and `bureau token` call the
same functions)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bureau.audit.models import ApiToken
from bureau.audit.operations import tokens
from bureau.dns.models import Zone
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission

from ..dns_forms import AcmeCredentialForm
from ..forms import TokenForm
from ..organisations import actor, member_required, person
from .dns import zone_page

# The use case's field names -> the form's.
FIELDS = {"expires_at": "expires_on", "scopes": "scopes", "name": "name"}


def page(request: HttpRequest, form: TokenForm, *, secret: str | None = None,
         created: ApiToken | None = None, status: int = 200) -> HttpResponse:
    return render(request, "web/tokens.html", {
        "form": form,
        "tokens": ApiToken.objects.filter(user=person(request))
        .select_related("organisation").order_by("-created_at", "-id"),
        "secret": secret, "created": created,
    }, status=status)


@never_cache
@member_required()
def token_list(request: HttpRequest) -> HttpResponse:
    """Your tokens, and the form for a new one acting for the current organisation. The new
    token is shown in the answer to the POST, this once; it is never stored in clear."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None)
    if request.method != "POST":
        return page(request, form)
    if form.is_valid():
        try:
            new = tokens.create_token(
                actor=actor(request), organisation=membership.organisation,
                name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at())
        except tokens.TokenRefused as exc:
            form.add_error(FIELDS.get(exc.field or ""), exc.message)
        else:
            return page(request, TokenForm(), secret=new.secret, created=new.token)
    return page(request, form, status=400)


@member_required()
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only your own tokens: another person's answers 404.
    token = get_object_or_404(ApiToken, pk=pk, user=person(request))
    tokens.revoke_token(token=token, actor=actor(request))
    messages.success(request, _("The token %(name)s (%(prefix)s…) is revoked: it no longer "
                                "works.") % {"name": token.name, "prefix": token.prefix})
    if token.challenge_zone_id is not None:  # revoked from its zone's page: back there
        return redirect("dns:zone", token.challenge_zone_id)
    return redirect("web:tokens")


@never_cache
@require_POST
@member_required(Permission.MANAGE_DNS)
def challenge_token(request: HttpRequest, zone: int) -> HttpResponse:
    """A certificate token for a hosted zone (the other kind of ACME credential, beside the
    DNS key of bureau.web.views.dns.acme_key): shown once, with how to use it."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    found = get_object_or_404(Zone.objects.filter(organisation=membership.organisation),
                              pk=zone)
    form = AcmeCredentialForm(request.POST)
    if form.is_valid():
        try:
            new = tokens.create_challenge_token(
                actor=actor(request), zone=found, name=form.cleaned_data["name"],
                expires_at=form.expires_at())
        except tokens.TokenRefused as exc:
            form.add_error(FIELDS.get(exc.field or ""), exc.message)
        else:
            url = request.build_absolute_uri(new.token.challenge_path)
            return render(request, "dns/acme_issued.html", {
                "zone": found, "token": new.token, "secret": new.secret, "url": url})
    return zone_page(request, found, acme_form=form)
