"""Fixtures of the payments tests: a staff person, organisations that pay, statements as the
bank writes them (bureau.banking.testing)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from bureau.registrar.accounts.models import Membership, Organisation, Role


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_user("dominique", "dominique@bureau.example", "x",
                                    is_staff=True)


def client_for(user: User) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def staff_client(staff: User) -> Client:
    return client_for(staff)


@pytest.fixture
def other_org(db: Any) -> Organisation:
    owner = User.objects.create_user("sacha", "sacha@example.org", "x")
    org = Organisation.objects.create(name="Les Jardins Partagés", slug="jardins")
    Membership.objects.create(user=owner, organisation=org, role=Role.OWNER)
    return org
