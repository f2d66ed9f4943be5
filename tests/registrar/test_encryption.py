"""Secrets (EPP passwords, transfer codes) are never stored in clear."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries.models import Registry, Tld

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_registry_password_is_encrypted_at_rest(registry: Registry) -> None:
    stored = raw_column("registries_registry", "password", registry.pk)
    assert "s3cret-epp-password" not in stored
    assert stored.startswith("fernet:")
    assert Registry.objects.get(pk=registry.pk).password == "s3cret-epp-password"


def test_auth_info_is_encrypted_at_rest(organisation: Organisation, tld: Tld) -> None:
    domain = Domain.objects.create(name="secret.test", tld=tld, organisation=organisation,
                                   auth_info="Tr4nsfer-C0de!")
    stored = raw_column("domains_domain", "auth_info", domain.pk)
    assert "Tr4nsfer-C0de!" not in stored
    assert Domain.objects.get(pk=domain.pk).auth_info == "Tr4nsfer-C0de!"


def test_same_secret_twice_gives_different_ciphertexts(registry: Registry) -> None:
    other = Registry.objects.create(name="Other", slug="other", host="h", client_id="c",
                                    password="s3cret-epp-password")
    assert raw_column("registries_registry", "password", registry.pk) != raw_column(
        "registries_registry", "password", other.pk)


def test_keys_can_be_rotated(registry: Registry, settings: Any) -> None:
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    before = raw_column("registries_registry", "password", registry.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    call_command("rotate_field_keys", stdout=io.StringIO())
    after = raw_column("registries_registry", "password", registry.pk)
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # old key dropped
    assert Registry.objects.get(pk=registry.pk).password == "s3cret-epp-password"
