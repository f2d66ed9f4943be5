"""The rules operations check before anything is charged or sent, and the greeting."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Order
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import check, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import (
    InvalidName,
    NotAllowed,
    PeriodNotAllowed,
    PriceChanged,
    TldNotSold,
)
from bureau.registrar.registries.models import FEE_NAMESPACES, Registry

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_greeting_extensions_are_recorded(member: Actor, sandbox_registry: Registry) -> None:
    check.check(["salut.test"])
    registry = Registry.objects.get(pk=sandbox_registry.pk)
    assert registry.greeting_at is not None
    assert registry.fee_namespace in FEE_NAMESPACES
    assert registry.supports("urn:ietf:params:xml:ns:epp:b-dn")


def test_read_only_member_cannot_order(organisation: Organisation, contact: Contact,
                                       member: Actor) -> None:
    reader = User.objects.create_user("lecteur", password="x")
    Membership.objects.create(user=reader, organisation=organisation, role=Role.READ_ONLY)
    with pytest.raises(NotAllowed):
        register.register(organisation=organisation, actor=Actor(reader), name="lu.test",
                          registrant=contact)
    assert not Order.objects.exists()


@pytest.mark.parametrize(("name", "error", "field"), [
    ("pas un nom", InvalidName, "name"),
    ("exemple.invalid", TldNotSold, "name"),
])
def test_bad_names_name_the_field(member: Actor, organisation: Organisation, contact: Contact,
                                  name: str, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        register.register(organisation=organisation, actor=member, name=name,
                          registrant=contact)
    assert getattr(raised.value, "field", None) == field


def test_period_and_price_are_checked_before_charging(
    member: Actor, organisation: Organisation, contact: Contact
) -> None:
    with pytest.raises(PeriodNotAllowed) as period:
        register.register(organisation=organisation, actor=member, name="long.test",
                          registrant=contact, period=11)
    assert period.value.field == "period"
    with pytest.raises(PriceChanged) as price:
        register.register(organisation=organisation, actor=member, name="shop.test",
                          registrant=contact, accepted_price=1000)
    assert price.value.actual == 25000 and "250.00" in str(price.value)
    assert ledger.balance(organisation, "EUR") == 100_000


def test_premium_registration_agrees_to_the_registry_fee(
    member: Actor, organisation: Organisation, contact: Contact
) -> None:
    result = register.register(organisation=organisation, actor=member, name="cafe.test",
                               registrant=contact, accepted_price=12000)
    assert result.order.amount == 12000
    assert ledger.balance(organisation, "EUR") == 100_000 - 12000
