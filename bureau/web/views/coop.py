"""Cooperative pages: thin views over bureau.coop.operations. The transparency page, the
price lists, ballots' published results and the recount data are public (no login)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from bureau.coop import conf, environment, figures, pdf
from bureau.coop.models import (
    Ballot,
    BallotState,
    College,
    Invoice,
    Member,
    MemberStatus,
    Participation,
    PricedOperation,
    PriceList,
    PriceListState,
    Proposal,
    ProposalKind,
    ProposalState,
)
from bureau.coop.operations import ballots, board, membership, pricing, proposals
from bureau.coop.operations.errors import CoopError
from bureau.core import clock
from bureau.payments.instructions import how_paid, share_options
from bureau.payments.instructions import share as share_transfer

from ..coop_forms import (
    BoardMotionForm,
    CommentForm,
    DatesForm,
    ExcludeForm,
    JoinForm,
    LeaveForm,
    MotionForm,
    ProposalForm,
    ScheduleForm,
    SharesForm,
    VoteForm,
)


def base_template() -> str:
    """The portal layout when the portal is installed, else this app's minimal one."""
    return "web/base.html" if apps.is_installed("bureau.web") else "coop/minimal_base.html"


def page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("coop_base", base_template())
    context.setdefault("share_value", conf.share_value())
    context.setdefault("currency", conf.currency())
    return render(request, template, context)


def member_of(request: HttpRequest) -> Member | None:
    if not request.user.is_authenticated:
        return None
    return Member.objects.select_related("college").filter(user=request.user).first()


def home(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    open_ballots = [b for b in Ballot.objects.filter(state=BallotState.OPEN)
                    if ballots.is_open(b)]
    pending = member is not None and member.status == MemberStatus.PENDING
    return page(request, "coop/home.html", {
        "member": member, "open_ballots": open_ballots,
        "transfer": share_transfer(member) if pending and member else None,
        "share_options": share_options(member) if pending and member else None,
        "proposals": PriceList.objects.exclude(state=PriceListState.DRAFT)[:10],
    })


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    existing = member_of(request)
    if existing is not None and existing.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        return redirect("coop:home")
    user = request.user
    assert isinstance(user, User)
    form = JoinForm(request.POST or None, user=user,
                    initial={"name": user.get_full_name() or user.get_username()})
    if request.method == "POST" and form.is_valid():
        try:
            member = membership.join(request.user, form.cleaned_data["college"],
                                     form.cleaned_data["shares"],
                                     name=form.cleaned_data["name"])
        except CoopError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _(
                "Your subscription is recorded (number %(number)s). Your membership starts "
                "once your shares are paid: see below how to pay.")
                % {"number": member.number})
            return redirect("coop:home")
    return page(request, "coop/join.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def shares(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    if member is None or not member.is_active:
        return redirect("coop:join")
    form = SharesForm(request.POST or None)
    leave_form = LeaveForm()
    if request.method == "POST" and form.is_valid():
        try:
            membership.subscribe(member, form.cleaned_data["shares"], by=request.user)
        except CoopError as exc:
            form.add_error("shares", exc.message)
        else:
            messages.success(request, _("Your new shares are recorded."))
            return redirect("coop:certificate")
    return page(request, "coop/shares.html", {"member": member, "form": form,
                                              "leave_form": leave_form})


@login_required
@require_http_methods(["POST"])
def leave(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    if member is None or not member.is_active:
        return redirect("coop:home")
    form = LeaveForm(request.POST)
    if not form.is_valid():
        return page(request, "coop/shares.html", {"member": member, "form": SharesForm(),
                                                  "leave_form": form})
    movement = membership.leave(member, reason=form.cleaned_data["reason"], by=request.user)
    refunded = -movement.amount if movement else 0
    messages.success(request, _("You have left the cooperative; %(amount)s %(currency)s will "
                                "be refunded.") % {"amount": f"{refunded / 100:.2f}",
                                                   "currency": conf.currency()})
    return redirect("coop:home")


@login_required
def certificate(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    if member is None:
        return redirect("coop:join")
    return page(request, "coop/certificate.html", {
        "member": member, "movements": member.movements.all(), "seller": conf.seller(),
        "capital": member.shares * conf.share_value(), "today": clock.now()})


@login_required
def certificate_pdf(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    if member is None:
        return redirect("coop:join")
    with translation.override("fr"):
        body = pdf.render_certificate(member, conf.seller(), clock.now())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-{member.number}.pdf"'
    return response


@staff_member_required
def register(request: HttpRequest) -> HttpResponse:
    lines = membership.register()
    return page(request, "coop/register.html", {
        "lines": lines, "total_capital": membership.capital(),
        "total_shares": sum(line.shares for line in lines), "board_people": board.people()})


@staff_member_required
@require_http_methods(["POST"])
def board_appoint(request: HttpRequest) -> HttpResponse:
    """Staff record a person the general assembly elected to the board."""
    try:
        person = board.appoint(by=request.user, email=request.POST.get("email", ""))
    except CoopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(email)s sits on the board.") % {"email": person.email})
    return redirect(reverse("coop:register") + "#board")


@staff_member_required
@require_http_methods(["POST"])
def board_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    try:
        board.dismiss(by=request.user, person=person)
    except CoopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(email)s no longer sits on the board.")
                         % {"email": person.email})
    return redirect(reverse("coop:register") + "#board")


@staff_member_required
@require_http_methods(["GET", "POST"])
def exclude(request: HttpRequest, number: int) -> HttpResponse:
    """Operators record an exclusion decided by the general assembly; shares are refunded
    at nominal value."""
    member = get_object_or_404(Member, number=number)
    form = ExcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership.exclude(member, reason=form.cleaned_data["reason"], by=request.user)
        except CoopError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, _("The exclusion of %(name)s is recorded.")
                             % {"name": member.display_name})
            return redirect("coop:register")
    return page(request, "coop/exclude.html", {"member": member, "form": form})


def ballot_list(request: HttpRequest) -> HttpResponse:
    """Members see ballots once the board opened them; the board sees the scheduled ones."""
    shown = Ballot.objects.all()
    if not board.is_board(request.user):
        shown = shown.exclude(state=BallotState.DRAFT)
    return page(request, "coop/ballots.html", {"ballots": shown})


@require_http_methods(["GET", "POST"])
def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=pk)
    if ballot.state == BallotState.DRAFT and not board.is_board(request.user):
        raise Http404
    member = member_of(request)
    form = VoteForm(ballot, request.POST or None)
    if request.method == "POST":
        if member is None:
            return redirect("coop:join")
        if form.is_valid():
            try:
                receipt = ballots.cast(ballot, member, form.cleaned_data["option"])
            except CoopError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Your vote is recorded. Your receipt: %(receipt)s "
                                            "— keep it to find your vote in the published "
                                            "list.") % {"receipt": receipt})
            return redirect("coop:ballot", pk=ballot.pk)
    voted = member is not None and Participation.objects.filter(
        ballot=ballot, member=member).exists()
    closed = ballot.state == BallotState.CLOSED
    options = list(ballot.options.all())
    result = ballot.result or {}
    rows = [{"option": o, "count": result.get("counts", {}).get(str(o.position), 0),
             "score": result.get("scores", {}).get(str(o.position)),
             "winner": result.get("winner") == o.position} for o in options]
    colleges = {c.code: c.label for c in College.objects.all()}
    weights = [(colleges.get(code, code), w) for code, w in ballot.college_weights.items()]
    running = ballots.is_open(ballot)
    refusal = ballots.why_not(ballot, member) if member and running and not voted else ""
    return page(request, "coop/ballot.html", {
        "ballot": ballot, "member": member, "weights": weights, "form": form, "voted": voted,
        "closed": closed, "refusal": refusal, "running": running,
        "can_vote": member is not None and not voted and running and not refusal,
        "rows": rows, "result": result, "turnout": turnout_percent(result),
        "public_votes": ballot.votes.select_related("member", "option")
        if closed and not ballot.secret else []})


def turnout_percent(result: dict[str, Any]) -> str:
    if not result or not result.get("electorate"):
        return ""
    return f"{100 * result['participants'] / result['electorate']:.1f}"


def result_counts(ballot: Ballot | None) -> list[tuple[str, int]]:
    """(option label, votes) of a closed ballot, for a one-line summary."""
    if ballot is None or not ballot.result:
        return []
    counts = ballot.result.get("counts", {})
    return [(str(o.label), int(counts.get(str(o.position), 0))) for o in ballot.options.all()]


def ballot_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The published data (JSON) anyone can recount with ``ballots.recount``."""
    ballot = get_object_or_404(Ballot, pk=pk)
    return JsonResponse(ballots.publication(ballot), json_dumps_params={"indent": 1})


def price_lists(request: HttpRequest) -> HttpResponse:
    lists = PriceList.objects.exclude(state=PriceListState.DRAFT).select_related("ballot")
    return page(request, "coop/price_lists.html", {"price_lists": lists})


@require_http_methods(["GET", "POST"])
def price_list(request: HttpRequest, pk: int) -> HttpResponse:
    plist = get_object_or_404(PriceList.objects.select_related("ballot"), pk=pk)
    # A draft is read by all once proposed (members back it after reading it).
    if plist.state == PriceListState.DRAFT and not hasattr(plist, "proposal") and not (
            request.user.is_staff or plist.created_by_id == request.user.pk):
        raise Http404
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("coop:join")
        if form.is_valid():
            try:
                pricing.comment(plist, request.user, form.cleaned_data["text"])
            except CoopError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("coop:price_list", pk=plist.pk)
    return page(request, "coop/price_list.html", {
        "plist": plist, "items": plist.items.all(), "comments": plist.comments.all(),
        "form": form, "member": member_of(request),
        "turnout": turnout_percent(plist.ballot.result if plist.ballot else {})})


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """A member proposes a price (a TLD's, or a service's) with its breakdown; members back
    it, then the board schedules its ballot."""
    member = member_of(request)
    if member is None or not member.is_active:
        return redirect("coop:join")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        effective = datetime.combine(data["effective_from"], time.min, tzinfo=UTC)
        kind = (ProposalKind.SERVICE if data["operation"] == PricedOperation.SERVICE
                else ProposalKind.PRICES)
        try:
            proposal = proposals.submit(
                by=request.user, kind=kind, title=data["title"],
                text=data["rationale"] or data["title"], effective_from=effective,
                price={"subject": data["subject"], "operation": data["operation"],
                       "breakdown": form.breakdown_cents()})
        except CoopError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return proposal_recorded(request, proposal)
    return page(request, "coop/propose.html", {"form": form})


def proposal_recorded(request: HttpRequest, proposal: Proposal) -> HttpResponse:
    missing = proposals.backers_missing(proposal)
    if missing:
        messages.success(request, ngettext(
            "Your proposal is recorded. Once %(count)s more member backs it, the board "
            "schedules its ballot.",
            "Your proposal is recorded. Once %(count)s more members back it, the board "
            "schedules its ballot.", missing) % {"count": missing})
    else:
        messages.success(request, _("Your proposal is recorded; the board will schedule its "
                                    "ballot."))
    return redirect("coop:proposal", pk=proposal.pk)


def proposal_list(request: HttpRequest) -> HttpResponse:
    return page(request, "coop/proposals.html", {
        "proposals": Proposal.objects.select_related("ballot", "created_by")
        .annotate(backers=Count("backings")),
        "needed": conf.proposal_backers(), "member": member_of(request)})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    """A motion or an environment budget (prices: ``propose``)."""
    member = member_of(request)
    if member is None or not member.is_active:
        return redirect("coop:join")
    form = MotionForm(request.POST or None, initial={"budget_year": clock.now().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = proposals.submit(
                by=request.user, kind=data["kind"], title=data["title"], text=data["text"],
                budget_year=data["budget_year"], energy_kwh=data["energy_kwh"],
                emissions_kg=data["emissions_kg"])
        except CoopError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return proposal_recorded(request, proposal)
    return page(request, "coop/proposal_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.select_related("ballot", "price_list",
                                                                 "created_by"), pk=pk)
    member = member_of(request)
    if request.method == "POST":
        if member is None:
            return redirect("coop:join")
        try:
            proposals.back(proposal, by=request.user)
        except CoopError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You back this proposal."))
        return redirect("coop:proposal", pk=proposal.pk)
    backed = member is not None and proposal.backings.filter(member=member).exists()
    return page(request, "coop/proposal.html", {
        "proposal": proposal, "member": member, "backed": backed,
        "backers": proposal.backings.count(), "needed": conf.proposal_backers(),
        "can_back": member is not None and member.is_active and not backed
        and proposal.state == ProposalState.SUPPORT,
        "is_board": board.is_board(request.user),
        "schedule_form": ScheduleForm(initial=default_dates(proposal)),
        "items": proposal.price_list.items.all() if proposal.price_list else []})


def default_dates(proposal: Proposal | None = None) -> dict[str, Any]:
    """A week from tomorrow, closing before a price list takes effect."""
    opens = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    closes = opens + timedelta(days=7)
    if proposal is not None and proposal.price_list is not None:
        closes = min(closes, proposal.price_list.effective_from)
    return {"opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"), "quorum_percent": 25,
            "secret": True}


@login_required
def board_page(request: HttpRequest) -> HttpResponse:
    """The board's desk: backed proposals to schedule, scheduled ballots to open, ballots to
    close, and its own motions."""
    if not board.is_board(request.user):
        raise Http404
    now = clock.now()
    return page(request, "coop/board.html", {
        "backed": Proposal.objects.filter(state=ProposalState.BACKED)
        .annotate(backers=Count("backings")),
        "scheduled": Ballot.objects.filter(state=BallotState.DRAFT),
        "running": Ballot.objects.filter(state=BallotState.OPEN),
        "now": now, "motion_form": BoardMotionForm(initial=default_dates()),
        "dates_form": DatesForm})


def board_action(request: HttpRequest, run: Any, success: str) -> HttpResponse:
    try:
        run()
    except CoopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("coop:board")


def form_error(request: HttpRequest, form: Any) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("coop:board")


@login_required
@require_http_methods(["POST"])
def board_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return form_error(request, form)
    data = form.cleaned_data
    return board_action(request, lambda: board.schedule(
        proposal, by=request.user, opens_at=data["opens_at"], closes_at=data["closes_at"],
        quorum_percent=data["quorum_percent"], secret=data["secret"]),
        _("The ballot is scheduled; open it when members may see it."))


@login_required
@require_http_methods(["POST"])
def board_motion(request: HttpRequest) -> HttpResponse:
    form = BoardMotionForm(request.POST)
    if not form.is_valid():
        return form_error(request, form)
    data = form.cleaned_data
    return board_action(request, lambda: board.create(
        by=request.user, title=data["title"], text=data["text"], opens_at=data["opens_at"],
        closes_at=data["closes_at"], quorum_percent=data["quorum_percent"],
        secret=data["secret"]), _("The ballot is scheduled; open it when members may see it."))


@login_required
@require_http_methods(["POST"])
def board_dates(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=pk)
    form = DatesForm(request.POST)
    if not form.is_valid():
        return form_error(request, form)
    return board_action(request, lambda: board.reschedule(
        ballot, by=request.user, opens_at=form.cleaned_data["opens_at"],
        closes_at=form.cleaned_data["closes_at"]), _("The ballot's dates are changed."))


@login_required
@require_http_methods(["POST"])
def board_open(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=pk)
    return board_action(request, lambda: board.open_ballot(ballot, by=request.user),
                        _("The ballot is open to members."))


@login_required
@require_http_methods(["POST"])
def board_close(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=pk)
    return board_action(request, lambda: board.close(ballot, by=request.user),
                        _("The ballot is closed and its result published."))


def transparency(request: HttpRequest) -> HttpResponse:
    items = pricing.in_force()
    estimate = environment.estimate(environment.measure())
    today = clock.now().date()
    use = environment.year_use(today.year, today)
    budget = proposals.budget_for(today.year)
    return page(request, "coop/transparency.html", {
        "items": [{"item": i, "breakdown": i.breakdown(), "plist": i.price_list,
                   "ballot": i.price_list.ballot,
                   "turnout": turnout_percent(i.price_list.ballot.result
                                              if i.price_list.ballot else {}),
                   "counts": result_counts(i.price_list.ballot)}
                  for i in items],
        "past": PriceList.objects.filter(state__in=[PriceListState.ADOPTED,
                                                    PriceListState.REJECTED]),
        "years": figures.yearly(), "capital": membership.capital(),
        "members": Member.objects.filter(status="active").count(),
        "estimate": estimate, "use": use, "budget": budget,
        "status": budget_status(use, budget),
    })


def budget_status(use: environment.YearUse, budget: Any) -> str:
    """"within" (even the high projection), "over" (even the low one), else "at-risk"."""
    if budget is None:
        return ""
    if (use.projected_kwh[1] <= budget.energy_kwh
            and use.projected_kg[1] <= budget.emissions_kg):
        return "within"
    if use.projected_kwh[0] > budget.energy_kwh or use.projected_kg[0] > budget.emissions_kg:
        return "over"
    return "at-risk"


@login_required
def invoices(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    mine = Invoice.objects.filter(organisation__memberships__user=request.user).distinct()
    return page(request, "coop/invoices.html", {"invoices": mine.select_related("organisation")})


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    assert isinstance(request.user, User)
    if not (request.user.is_staff
            or invoice.organisation.memberships.filter(user=request.user).exists()):
        raise Http404
    response = HttpResponse(pdf.render(invoice, payment=how_paid(invoice)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response
