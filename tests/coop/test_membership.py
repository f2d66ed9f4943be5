"""Membership life cycle: join, subscribe more, certificate, register, leave and exclusion
with refunds at nominal value, all recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from bureau.banking import reference as rf
from bureau.coop.models import College, Member, MemberStatus, MovementKind, ShareMovement
from bureau.coop.operations import membership
from bureau.coop.operations.errors import (
    AlreadyMember,
    CollegeClosed,
    InvalidShares,
    NotAMember,
)
from bureau.core.appendonly import AppendOnlyError

pytestmark = [pytest.mark.sqlite]


def test_life_cycle(make_member: Callable[..., Member], colleges: dict[str, College]) -> None:
    alix = make_member("customers", shares=3, name="Alix")
    assert alix.number == 1 and alix.is_active and alix.shares == 3
    membership.subscribe(alix, 2)
    assert alix.shares == 5
    assert membership.capital() == 5 * 2000

    with pytest.raises(AlreadyMember):
        membership.join(alix.user, colleges["employees"], 1)

    refund = membership.leave(alix, reason="Moving abroad")
    assert refund is not None
    assert refund.kind == MovementKind.REFUND and refund.shares == -5
    assert refund.unit_value == 2000 and refund.amount == -10_000  # nominal value, never more
    alix.refresh_from_db()
    assert alix.status == MemberStatus.LEFT and alix.left_at is not None
    assert alix.shares == 0 and membership.capital() == 0
    with pytest.raises(NotAMember):
        membership.subscribe(alix, 1)
    # The history stays: three movements, none rewritten.
    assert list(alix.movements.values_list("shares", flat=True)) == [3, 2, -5]

    # Coming back keeps the member number.
    again = membership.join(alix.user, colleges["contributors"], 1)
    assert again.number == 1 and again.college.code == "contributors"


def test_exclusion_refunds_and_needs_a_reason(make_member: Callable[..., Member]) -> None:
    member = make_member("employees", shares=4)
    admin = User.objects.create_user("op", "op@example.org", "x")
    with pytest.raises(NotAMember):
        membership.exclude(member, reason=" ", by=admin)
    refund = membership.exclude(member, reason="AG du 3 mars", by=admin)
    assert refund is not None and refund.shares == -4 and refund.recorded_by == admin
    member.refresh_from_db()
    assert member.status == MemberStatus.EXCLUDED


def test_shares_are_bounded_and_movements_append_only(
        make_member: Callable[..., Member], colleges: dict[str, College]) -> None:
    with pytest.raises(InvalidShares):
        make_member("customers", shares=0)
    with override_settings(BUREAU_COOP_MAX_SHARES=10):
        member = make_member("customers", shares=10)
        with pytest.raises(InvalidShares):
            membership.subscribe(member, 1)
    movement = ShareMovement.objects.get(member=member)
    movement.shares = 1000
    with pytest.raises(AppendOnlyError):
        movement.save()
    colleges["employees"].is_open = False
    colleges["employees"].save()
    with pytest.raises(CollegeClosed):
        make_member("employees")


def test_join_from_the_portal_and_print_the_certificate(colleges: dict[str, College]) -> None:
    person = User.objects.create_user("sam", "sam@example.org", "x-pass-word")
    client = Client()
    client.force_login(person)
    page = client.get("/coop/join/")
    assert page.status_code == 200 and "Customers" not in page.text  # French college names
    response = client.post("/coop/join/", {"college": colleges["customers"].pk, "shares": 2,
                                           "name": "Sam Dupont"})
    assert response.status_code == 302 and response["Location"] == "/coop/"
    member = Member.objects.get(user=person)
    assert member.shares == 2 and member.status == MemberStatus.PENDING
    # Not a member until the shares are paid: the page says how, with the share reference.
    home = client.get("/coop/").text
    assert 'id="share-pending"' in home and "40,00 EUR" in home  # French amounts
    assert rf.pretty(rf.make(rf.SHARE, member.number)) in home
    assert client.get("/coop/join/")["Location"] == "/coop/"  # no second subscription
    membership.record_share_payment(member, 4000, "EUR", how="virement")
    member.refresh_from_db()
    assert member.is_active
    certificate = client.get("/coop/certificate/")  # French by default, inclusive wording
    assert "Attestation d’associé·e" in certificate.text
    assert "Sam Dupont est inscrit·e comme associé·e numéro 1" in certificate.text
    assert "soit 40,00 EUR" in certificate.text  # 2 shares x 20.00

    response = client.post("/coop/leave/", {"reason": "", "confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.LEFT and member.shares == 0


def test_register_is_for_operators(make_member: Callable[..., Member]) -> None:
    make_member("contributors", shares=7, name="Dominique")
    client = Client()
    person = User.objects.create_user("x", "x@example.org", "x")
    client.force_login(person)
    assert client.get("/coop/register/").status_code == 302  # to the admin login
    operator = User.objects.create_user("op", "op@example.org", "x", is_staff=True)
    client.force_login(operator)
    page = client.get("/coop/register/")
    assert page.status_code == 200
    assert "Dominique" in page.text and "140,00" in page.text


def test_operator_records_an_exclusion(make_member: Callable[..., Member]) -> None:
    member = make_member("customers", shares=3, name="Claude")
    operator = User.objects.create_user("op", "op@example.org", "x", is_staff=True)
    client = Client(headers={"accept-language": "en"})
    client.force_login(operator)
    assert "Exclude" in client.get("/coop/register/").text
    url = f"/coop/register/{member.number}/exclude/"
    response = client.post(url, {"reason": "AG du 12 juin 2027 : non-respect des statuts"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.EXCLUDED and member.shares == 0
    refund = member.movements.get(kind=MovementKind.REFUND)
    assert refund.shares == -3 and refund.recorded_by == operator
    assert "non-respect des statuts" in refund.reason


def test_certificate_pdf(make_member: Callable[..., Member]) -> None:
    import io

    from pypdf import PdfReader

    member = make_member("contributors", shares=3, name="Camille Dupont")
    client = Client()
    client.force_login(member.user)
    response = client.get("/coop/certificate.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "ATTESTATION D'ASSOCIÉ·E" in text
    assert "Camille Dupont est inscrit·e au registre des associé·es sous le numéro 1" in text
    assert "Parts sociales détenues : 3, de valeur nominale 20,00 € chacune, soit 60,00 €" in text


def test_a_newcomer_cannot_pick_the_employees_college(
        colleges: dict[str, College], django_user_model: Any) -> None:
    """The employees' college is for Bureau's staff: not offered to a customer, refused if
    sent anyway, offered to a staff account."""
    customer = django_user_model.objects.create(username="newcomer",
                                                email="newcomer@example.org")
    client = Client(headers={"accept-language": "en"})
    client.force_login(customer)
    form = client.get("/coop/join/").text
    assert f'name="college" value="{colleges["customers"].pk}"' in form
    assert f'name="college" value="{colleges["employees"].pk}"' not in form
    refused = client.post("/coop/join/", {"college": colleges["employees"].pk, "shares": 1,
                                          "name": "Newcomer"})
    assert refused.status_code == 200 and "valid choice" in refused.text
    assert not Member.objects.filter(user=customer).exists()
    with pytest.raises(CollegeClosed) as closed:
        membership.join(customer, colleges["employees"], 1)
    assert closed.value.field == "college" and "employees" in closed.value.message

    staff = django_user_model.objects.create(username="employee", email="e@bureau.test",
                                             is_staff=True)
    client.force_login(staff)
    assert f'name="college" value="{colleges["employees"].pk}"' in client.get("/coop/join/").text
    client.post("/coop/join/", {"college": colleges["employees"].pk, "shares": 1,
                                "name": "Employee"})
    assert Member.objects.get(user=staff).college == colleges["employees"]
