"""Makes what the production test asks Bureau for, in the database of the settings in the
environment, and prints it as JSON: a member who logs in with her password, her
organisation's names, an API token, and a name whose transfer code was encrypted with a key
this Bureau does not have (a backup restored without its key), whose page can only fail.

    DATABASE_URL=... BUREAU_FIELD_KEY=... python tests/deploy/production_data.py
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import django

PASSWORD = "Correct-Horse-Battery-42"


def make() -> dict[str, object]:
    from allauth.account.models import EmailAddress
    from cryptography.fernet import Fernet
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from bureau.audit.operations.tokens import create_token
    from bureau.registrar.accounts.models import Membership, Organisation, Role
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.operations.common import Actor
    from bureau.registrar.registries.models import Registry, Tld

    user = User.objects.create_user("camille", "camille@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    org = Organisation.objects.create(name="Atelier Camille", slug="atelier-camille")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    registry = Registry.objects.create(name="Registre", slug="registre", host="epp.example",
                                       client_id="bureau", password="epp-password")
    tld = Tld.objects.create(registry=registry, name="test", create_price=1000,
                             renew_price=1000, transfer_price=1000)
    now = timezone.now()
    for n in range(5):
        Domain.objects.create(name=f"atelier-{n}.test", tld=tld, organisation=org,
                              state=DomainState.ACTIVE, registered_at=now,
                              expires_at=now + timedelta(days=100 + n))
    token = create_token(actor=Actor.console(user), organisation=org, name="deploy test",
                         scopes=["domains:read"])
    # Another member, whose name was encrypted with a key this Bureau does not have.
    other = User.objects.create_user("dominique", "dominique@example.org", PASSWORD)
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    lost_org = Organisation.objects.create(name="Clé perdue", slug="cle-perdue")
    Membership.objects.create(user=other, organisation=lost_org, role=Role.OWNER)
    keys = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    lost = Domain.objects.create(name="cle-perdue.test", tld=tld, organisation=lost_org,
                                 state=DomainState.ACTIVE, auth_info="encrypted-elsewhere")
    settings.FIELD_ENCRYPTION_KEYS = keys
    return {"email": user.email, "password": PASSWORD, "token": token.secret,
            "lost_email": other.email, "lost_key_domain": lost.pk}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    django.setup()
    print(json.dumps(make()))
