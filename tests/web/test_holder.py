"""Change of holder from the domain page, through operations.registrant against the sandbox
registry over EPP/TLS: both consents required (each on its field), the transfer lock and its
opt-out, roles and organisations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries.models import Registry

from .conftest import client_for, make_contact, make_person

pytestmark = [pytest.mark.django_db]


def register(client: Client, org: Organisation, name: str) -> Domain:
    ledger.top_up(org, 5000, "EUR")
    holder = make_contact(org, "Camille Martin")
    client.post("/cart/add/", {"name": name, "price": 1000, "currency": "EUR"})
    assert client.post("/cart/checkout/", {"registrant": holder.pk, "period": 1}) \
        .status_code == 302
    return Domain.objects.get(name=name)


@pytest.mark.slow
def test_change_of_holder_with_both_consents_and_the_transfer_lock(
        client_a: Client, org_a: Organisation, sandbox_registry: Registry,
        sandbox: Any) -> None:
    domain = register(client_a, org_a, "passage.test")
    old = domain.registrant
    assert old is not None
    new = make_contact(org_a, "Dominique Roux")
    assert f"/domains/{domain.pk}/holder/" in client_a.get(f"/domains/{domain.pk}/").content \
        .decode()
    page = client_a.get(f"/domains/{domain.pk}/holder/").content.decode()
    assert "locked against transfers to another registrar for 60 days" in page
    assert "opt out" in page
    # The current holder's contact is not offered as the new one.
    choices = page.split('id="id_new_registrant"', 1)[1].split("</select>", 1)[0]
    assert f'value="{new.pk}"' in choices and f'value="{old.pk}"' not in choices

    missing = client_a.post(f"/domains/{domain.pk}/holder/", {"new_registrant": new.pk,
                                                              "new_holder_consent": "on"})
    assert missing.status_code == 400
    assert 'id="id_old_holder_consent_error"' in missing.content.decode()
    assert "The current holder has not agreed" in missing.content.decode()
    missing = client_a.post(f"/domains/{domain.pk}/holder/", {"new_registrant": new.pk,
                                                              "old_holder_consent": "on"})
    assert 'id="id_new_holder_consent_error"' in missing.content.decode()
    domain.refresh_from_db()
    assert domain.registrant == old

    done = client_a.post(f"/domains/{domain.pk}/holder/", {
        "new_registrant": new.pk, "old_holder_consent": "on", "new_holder_consent": "on"})
    assert done.status_code == 302
    domain.refresh_from_db()
    assert domain.registrant == new
    assert domain.transfer_prohibited and "clientTransferProhibited" in domain.statuses
    assert domain.transfer_locked_until is not None
    assert 59 <= (domain.transfer_locked_until - timezone.now()).days <= 60
    detail = client_a.get(f"/domains/{domain.pk}/").content.decode()
    assert "Dominique Roux now holds passage.test" in detail
    assert "locked until" in detail


@pytest.mark.slow
def test_opting_out_of_the_transfer_lock(client_a: Client, org_a: Organisation,
                                         sandbox_registry: Registry, sandbox: Any) -> None:
    domain = register(client_a, org_a, "libre.test")
    new = make_contact(org_a, "Dominique Roux")
    done = client_a.post(f"/domains/{domain.pk}/holder/", {
        "new_registrant": new.pk, "old_holder_consent": "on", "new_holder_consent": "on",
        "opt_out_of_transfer_lock": "on"})
    assert done.status_code == 302
    domain.refresh_from_db()
    assert domain.registrant == new
    # No 60-day lock (the lock a new registration carries stays the holder's choice).
    assert domain.transfer_locked_until is None
    detail = client_a.get(f"/domains/{domain.pk}/").content.decode()
    assert "Dominique Roux now holds libre.test." in detail and "locked until" not in detail


@pytest.mark.sqlite
def test_only_owners_and_administrators_and_only_their_names(
        client_a: Client, org_a: Organisation, domain_a: Domain, domain_b: Domain) -> None:
    assert client_a.get(f"/domains/{domain_b.pk}/holder/").status_code == 404
    other = make_contact(org_a, "Dominique Roux")
    assert client_a.post(f"/domains/{domain_b.pk}/holder/", {
        "new_registrant": other.pk, "old_holder_consent": "on",
        "new_holder_consent": "on"}).status_code == 404
    tess = make_person("tess@example.org")
    Membership.objects.create(user=tess, organisation=org_a, role=Role.TECH)
    tech = client_for(tess)
    assert tech.get(f"/domains/{domain_a.pk}/holder/").status_code == 403
    assert f"/domains/{domain_a.pk}/holder/" not in tech.get(f"/domains/{domain_a.pk}/") \
        .content.decode()
    # Another organisation's contact is not a choice.
    theirs = make_contact(domain_b.organisation, "Bob Bernard")
    refused = client_a.post(f"/domains/{domain_a.pk}/holder/", {
        "new_registrant": theirs.pk, "old_holder_consent": "on", "new_holder_consent": "on"})
    assert refused.status_code == 400
    assert 'id="id_new_registrant_error"' in refused.content.decode()
    domain_a.refresh_from_db()
    assert domain_a.registrant is not None
    assert domain_a.registrant.name == "Holder of alpha.test"
