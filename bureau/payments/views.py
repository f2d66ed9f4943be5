"""Staff pages: import a statement, and the queue of credits nothing matched."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bureau.coop.models import Member
from bureau.core.uploads import body_limit
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing.ledger import format_cents

from . import card, conf
from .forms import AssignForm, PayBackForm, StatementForm
from .models import (
    BankLine,
    Collection,
    CollectionState,
    DebitFile,
    Payout,
    PayoutFile,
    StatementImport,
)
from .operations import books, cards, debits, payouts, statements
from .operations.errors import OperationError
from .problems import describe


@body_limit(conf.statement_max_bytes, conf.statement_advice)
@staff_member_required
def statement_import(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.POST or None, request.FILES or None)
    status = 200
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = statements.import_statement(upload, filename=upload.name,
                                                     by=request.user)
            except OperationError as exc:
                form.add_error("file", exc.message)
                problems = [describe(p) for p in getattr(exc, "problems", [])]
            else:
                messages.success(request, report.summary())
                return redirect("payments:queue" if report.waiting else "payments:import")
        status = 400
    return render(request, "payments/import.html", {
        "form": form, "problems": problems,
        "imports": StatementImport.objects.select_related("imported_by")[:20]}, status=status)


@staff_member_required
def queue(request: HttpRequest) -> HttpResponse:
    lines = list(statements.queue()[:200])
    forms = [(line, AssignForm(initial={"organisation": line.suggestion_id},
                               prefix=f"line{line.pk}")) for line in lines]
    return render(request, "payments/queue.html", {"forms": forms})


@staff_member_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(BankLine, pk=pk)
    form = AssignForm(request.POST, prefix=f"line{pk}")
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("payments:queue")
    try:
        done = statements.assign(line, form.cleaned_data["organisation"], by=request.user)
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, statements.assigned_message(done))
    return redirect("payments:queue")


@staff_member_required
def debit_files(request: HttpRequest) -> HttpResponse:
    """Announced collections, and the pain.008 files made of them for the bank."""
    if request.method == "POST":
        try:
            file = debits.make_file(by=request.user)
        except (OperationError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            if file is None:
                messages.info(request, _("No announced direct debit is due within a week."))
            else:
                messages.success(request, _(
                    "File %(id)s: %(n)s direct debit(s), %(total)s %(currency)s. Download it "
                    "and upload it to the bank.") % {
                    "id": file.pk, "n": file.collections, "total": format_cents(file.total),
                    "currency": conf.currency()})
        return redirect("payments:debits")
    return render(request, "payments/debits.html", {
        "scheduled": Collection.objects.filter(state=CollectionState.SCHEDULED)
        .select_related("mandate__organisation")[:200],
        "files": DebitFile.objects.defer("xml")[:20]})


@staff_member_required
def debit_file(request: HttpRequest, pk: int) -> HttpResponse:
    file = get_object_or_404(DebitFile, pk=pk)
    response = HttpResponse(bytes(file.xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="pain008-{file.pk}.xml"'
    return response


@staff_member_required
def books_export(request: HttpRequest) -> HttpResponseBase:
    """The ledger of a period for the accountant: ?from=YYYY-MM-DD&to=YYYY-MM-DD&format=fec|csv."""
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
        end = date.fromisoformat(request.GET.get("to", ""))
        kind = "csv" if request.GET.get("format") == "csv" else "fec"
        text = books.export(start, end, by=request.user, kind=kind)
    except ValueError:
        return HttpResponse(_("Give the period as ?from=YYYY-MM-DD&to=YYYY-MM-DD (from before "
                              "to)."), status=400, content_type="text/plain; charset=utf-8")
    name = f"FEC{start:%Y%m%d}-{end:%Y%m%d}.{'csv' if kind == 'csv' else 'txt'}"
    response = StreamingHttpResponse(text, content_type="text/csv; charset=utf-8"
                                     if kind == "csv" else "text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's signed events (no session: the signature is the authentication)."""
    try:
        outcome = cards.handle_webhook(request.body,
                                       request.headers.get("Stripe-Signature", ""))
    except card.BadSignature:
        return HttpResponse("bad signature\n", status=400, content_type="text/plain")
    except cards.CardsUnavailable:
        return HttpResponse("card payments are off\n", status=404, content_type="text/plain")
    return HttpResponse(f"{outcome}\n", content_type="text/plain")


def share_member(request: HttpRequest) -> Member | None:
    return Member.objects.filter(user_id=request.user.pk or 0).first()


@login_required
@require_POST
def share_card(request: HttpRequest) -> HttpResponse:
    """A member pays their shares by card: off to the provider's page; the membership
    starts when its webhook says paid."""
    member = share_member(request)
    if member is None:
        return redirect("coop:join")
    back = request.build_absolute_uri(reverse("coop:home"))
    try:
        _payment, url = cards.start_shares(member, request.user, cancel_url=back,
                                           success_url=f"{back}?card=done")
    except OperationError as exc:
        messages.error(request, exc.message)
        return redirect("coop:home")
    return redirect(url)


@login_required
@require_POST
def share_debit(request: HttpRequest) -> HttpResponse:
    """A member pays their shares by direct debit, under an organisation's mandate."""
    member = share_member(request)
    if member is None:
        return redirect("coop:join")
    organisation = Organisation.objects.filter(pk=request.POST.get("organisation") or 0).first()
    try:
        if organisation is None:
            raise OperationError(_("Choose the organisation whose mandate pays."))
        collection = debits.announce_shares(member, organisation, request.user)
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(amount)s %(currency)s will be debited on %(date)s "
                                    "(mandate %(mandate)s); an email confirms it.") % {
            "amount": format_cents(collection.amount), "currency": collection.currency,
            "date": collection.due_on, "mandate": collection.mandate.reference})
    return redirect("coop:home")


@staff_member_required
def payout_list(request: HttpRequest) -> HttpResponse:
    """Pay back a balance or a former member's shares; the pain.001 file for the bank."""
    form = PayBackForm(request.POST or None)
    if request.method == "POST" and request.POST.get("make") == "file":
        try:
            file = payouts.make_file(by=request.user)
        except (OperationError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Nothing to pay back.") if file is None else _(
                "File %(id)s: %(n)s transfer(s). Download it and upload it to the bank.")
                % {"id": file.pk, "n": file.transfers})
        return redirect("payments:payouts")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["member"]:
                member = get_object_or_404(Member, number=data["member"])
                payouts.pay_back_shares(member, iban=data["iban"], bic=data["bic"],
                                        by=request.user)
            elif data["organisation"] and data["amount"]:
                payouts.pay_back_balance(data["organisation"], int(data["amount"] * 100),
                                         name=data["name"] or data["organisation"].name,
                                         iban=data["iban"], bic=data["bic"], by=request.user)
            else:
                form.add_error(None, _("Choose an organisation and an amount, or a member."))
        except OperationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        if not form.errors:
            messages.success(request, _("Recorded: it goes out with the next pain.001 file."))
            return redirect("payments:payouts")
    return render(request, "payments/payouts.html", {
        "form": form, "payouts": Payout.objects.select_related("organisation", "member")[:100],
        "files": PayoutFile.objects.defer("xml")[:20]},
        status=400 if request.method == "POST" else 200)


@staff_member_required
def payout_file(request: HttpRequest, pk: int) -> HttpResponse:
    file = get_object_or_404(PayoutFile, pk=pk)
    response = HttpResponse(bytes(file.xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="pain001-{file.pk}.xml"'
    return response
