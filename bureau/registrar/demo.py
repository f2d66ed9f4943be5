"""Demo data for `bureau run`: an operator, a member with an organisation, a holder contact
and some money on the balance. Idempotent: running it again changes nothing but passwords
that were lost."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Journal, JournalKind
from bureau.registrar.contacts.models import Contact

DEMO_FUNDS = 50_000  # 500.00 EUR


@dataclass(frozen=True)
class Login:
    username: str
    email: str
    password: str
    role: str


def _passwords(path: Path) -> dict[str, str]:
    """Demo passwords, made once and kept in var/ so the printed login stays valid."""
    try:
        stored: dict[str, str] = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        stored = {}
    changed = False
    for name in ("operateur", "membre"):
        if name not in stored:
            stored[name] = secrets.token_urlsafe(9)
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


def _user(username: str, password: str, email: str, *, staff: bool) -> User:
    user, _created = User.objects.get_or_create(username=username,
                                                defaults={"email": email})
    if not user.check_password(password) or user.is_staff != staff:
        user.set_password(password)
        user.is_staff = user.is_superuser = staff
        user.save()
    if apps.is_installed("allauth.account"):
        # The portal logs people in by email and asks for a verified address.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def load_demo_data() -> list[Login]:
    passwords = _passwords(Path(settings.STATE_DIR) / "demo-logins.json")
    with transaction.atomic():
        _user("operateur", passwords["operateur"], "operateur@bureau.test", staff=True)
        member = _user("membre", passwords["membre"], "membre@bureau.test", staff=False)
        org, _created = Organisation.objects.get_or_create(
            slug="demo", defaults={"name": "Coopérative démo"})
        Membership.objects.get_or_create(user=member, organisation=org,
                                         defaults={"role": Role.OWNER})
        if not Contact.objects.filter(organisation=org).exists():
            Contact.objects.create(
                organisation=org, name="Camille Démo", email="membre@bureau.test",
                phone="+33.123456789", street="1 place de la Coopération", city="Lyon",
                postal_code="69001", country="FR")
        if not Journal.objects.filter(kind=JournalKind.TOP_UP,
                                      entries__account__organisation=org).exists():
            ledger.top_up(org, DEMO_FUNDS, "EUR", memo="demo funds")
    return [Login("operateur", "operateur@bureau.test", passwords["operateur"],
                  "operator (admin)"),
            Login("membre", "membre@bureau.test", passwords["membre"],
                  "member, owner of the organisation 'demo'")]
