"""Bundling TLDs (RFC 9095): registering a name records the names the registry bundled."""

from __future__ import annotations

import pytest

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import BundledName
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor

pytestmark = pytest.mark.django_db


def test_cross_tld_bundle_is_recorded(member: Actor, organisation: Organisation,
                                      contact: Contact) -> None:
    result = register.register(organisation=organisation, actor=member, name="solidaire.ngo",
                               registrant=contact)
    assert result.bundled == ("solidaire.ong",)
    assert list(BundledName.objects.filter(domain=result.domain)
                .values_list("name", flat=True)) == ["solidaire.ong"]


def test_chinese_variant_bundle_keeps_u_labels(member: Actor, organisation: Organisation,
                                               contact: Contact) -> None:
    result = register.register(organisation=organisation, actor=member, name="電腦.测试",
                               registrant=contact)
    assert result.domain.u_label == "電腦.测试"
    names = list(BundledName.objects.filter(domain=result.domain))
    assert names and all(n.name.startswith("xn--") for n in names)
    # The registry's variant of the traditional name, shown as people read it.
    assert all(n.u_label.startswith("电") and n.u_label.endswith(".测试") for n in names)
