"""A status's free-text reason (RFC 5731 section 2.3: `<domain:status s="serverHold"
lang="en">Payment overdue.</domain:status>`) given by the sandbox registry is kept on the
registration through reconciliation and the poll queue, and shown where statuses are shown:
the member's page, the API, RDAP (as a remark) and `bureau domain info`."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from logins import authenticated

from bureau.registrar.accounts.models import Organisation, User
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations import reconcile, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
from bureau.sandbox.testing import Sandbox


@pytest.fixture
def registered(member: Actor, organisation: Organisation, contact: Contact) -> Domain:
    return register.register(organisation=organisation, actor=member, name="atelier.test",
                             registrant=contact).domain


def test_reasons_are_kept_through_reconciliation_and_poll_and_shown(
    registered: Domain, sandbox: Sandbox, user: User, settings: Any,
) -> None:
    sandbox.operator.set_server_status("atelier.test", add=["serverHold"],
                                       reason="Payment overdue.")
    reconcile.reconcile_domains()
    domain = Domain.objects.get(pk=registered.pk)
    assert domain.status_reasons == {"serverHold": ["Payment overdue.", "en"]}
    assert ("serverHold", "Payment overdue.", "en") in domain.statuses_shown

    # A later change comes by the poll queue (the message carries the name's info).
    sandbox.operator.set_server_status("atelier.test", add=["serverRenewProhibited"],
                                       reason="Dispute filed.")
    process_poll_queue(domain.registry)
    domain.refresh_from_db()
    assert domain.status_reasons["serverRenewProhibited"][0] == "Dispute filed."
    assert domain.status_reasons["serverHold"][0] == "Payment overdue."
    sandbox.operator.set_server_status("atelier.test", remove=["serverHold"])
    reconcile.reconcile_domains()
    domain.refresh_from_db()
    assert "serverHold" not in domain.status_reasons  # gone with its status

    # Where statuses are shown, the reason is shown beside its status.
    sandbox.operator.set_server_status("atelier.test", add=["serverHold"],
                                       reason="Payment overdue.")
    reconcile.reconcile_domains()
    client = authenticated(Client(), user)
    page = client.get(f"/domains/{domain.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'serverHold (<q lang="en">Payment overdue.</q>)' in page
    api = client.get(f"/api/v1/domains/{domain.name}/").json()
    assert api["status_reasons"]["serverHold"] == {"text": "Payment overdue.", "lang": "en"}
    out = io.StringIO()
    call_command("domain", "info", "atelier.test", stdout=out)
    assert "serverHold (Payment overdue.)" in out.getvalue()

    settings.BUREAU_RDAP_IANA_ID = "9999"
    settings.BUREAU_RDAP_BASE_URL = "http://testserver/rdap/"
    settings.BUREAU_RDAP_BOOTSTRAP_FILE = str(sandbox.state_dir / "rdap" / "dns.json")
    rdap = Client().get("/rdap/domain/atelier.test").json()
    assert "client hold" in rdap["status"] or "server hold" in rdap["status"]
    assert {"title": "EPP status serverHold", "description": ["Payment overdue."],
            "lang": "en"} in rdap["remarks"]
