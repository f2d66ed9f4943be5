"""End-to-end in a real browser (Debian's headless chromium driven by Playwright) against
the live portal: a member logs in, reads a price proposal and its breakdown, votes on it,
keeps the receipt; once the ballot closes, the public transparency page shows the adopted
price, its breakdown and how it was decided, and the receipt is in the published votes."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from bureau.coop.models import College
from bureau.coop.operations import ballots, membership, pricing
from bureau.core import clock

pytestmark = [pytest.mark.slow]

PASSWORD = "Un mot de passe assez long 2026!"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "screenshots"



def test_member_votes_on_a_price_proposal_and_sees_the_result(
        browser: Any, live_server: Any, transactional_db: Any, coop_clock: Any,
        colleges: dict[str, College]) -> None:
    base = live_server.url
    email = "dominique@example.org"
    user = User.objects.create_user("dominique", email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    membership.join(user, colleges["customers"], 2, name="Dominique", paid=True)
    coop_clock.advance(minutes=1)
    now = clock.now()
    plist = pricing.propose(title="Tarifs .test 2027", effective_from=now + timedelta(days=8),
                            rationale="Le coût réel, plus la réserve.")
    pricing.add_price(plist, subject="test", operation="create", breakdown={
        "wholesale": 800, "fees": 18, "payment_costs": 32, "operating_share": 450,
        "reserve": 200})
    ballot = pricing.put_to_vote(plist, opens_at=now, closes_at=now + timedelta(days=7),
                                 quorum_percent=50)

    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    page.goto(base + f"/coop/prices/{plist.pk}/")
    assert "Registry wholesale cost" in page.content() and "15.00 EUR" in page.content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("link", name="The ballot on this price list").click()
    page.get_by_label("For").check()
    page.screenshot(path=str(ARTIFACTS / "coop-ballot.png"), full_page=True)
    page.get_by_role("button", name="Vote").click()
    page.wait_for_load_state()
    status = page.locator("main .messages").inner_text()
    found = re.search(r"Your receipt: (\S+)", status)
    assert found, status
    receipt = found.group(1)
    assert "You have voted." in page.content()

    coop_clock.advance(days=7, seconds=1)
    ballots.close(ballot)  # what the periodic job does
    coop_clock.advance(days=1)

    page.goto(base + "/coop/transparency/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "coop-transparency.png"), full_page=True)
    text = page.locator("main").inner_text()
    assert "Tarifs .test 2027" in text
    assert "Reserve" in text and "2.00 EUR" in text and "15.00 EUR" in text
    assert "Adopted by ballot: 1 of 1 members voted (100.0 %)" in text
    page.goto(base + f"/coop/ballots/{ballot.pk}/published.json")
    published = json.loads(page.locator("body").inner_text())
    assert [v["receipt"] for v in published["votes"]] == [receipt]
    assert "Dominique" not in json.dumps(published)
    page.close()
