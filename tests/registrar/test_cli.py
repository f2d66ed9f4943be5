"""The operator's command line, as the issue's walk-through: register a name, see it at the
sandbox, renew it, jump the sandbox clock past expiry, delete and restore it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db


def bureau(*args: str) -> str:
    out = io.StringIO()
    call_command("domain", *args, stdout=out)
    return out.getvalue()


def test_operator_walk_through(member: Actor, organisation: Organisation,
                               sandbox: Sandbox) -> None:
    assert "available" in bureau("check", "libre.test")
    assert "charged 10.00 EUR" in bureau("register", "libre.test", "--org", organisation.slug)
    assert "sponsor bureau" in bureau("info", "libre.test")
    first_expiry = Domain.objects.get(name="libre.test").expires_at
    assert first_expiry is not None
    bureau("renew", "libre.test")
    sandbox.clock.advance(days=800)  # past expiry: the registry auto-renews
    assert "1 new message(s)" in bureau("poll")
    bureau("delete", "libre.test")
    assert Domain.objects.get(name="libre.test").state == DomainState.REDEMPTION
    bureau("restore", "libre.test")
    assert Domain.objects.get(name="libre.test").state == DomainState.ACTIVE
    history = bureau("history", "libre.test")
    for operation in ("create", "renew", "auto-renew", "delete", "restore"):
        assert operation in history


def test_refusals_are_printed_as_command_errors(member: Actor, organisation: Organisation,
                                               sandbox: Sandbox) -> None:
    with pytest.raises(CommandError, match="does not sell"):
        bureau("register", "libre.invalid", "--org", organisation.slug)


def test_newcomer_mistakes_get_a_clear_message(member: Actor, organisation: Organisation,
                                               sandbox: Sandbox) -> None:
    with pytest.raises(CommandError, match=rf"no such organisation \(known: {organisation.slug}"):
        bureau("register", "libre.test", "--org", "nope")
    with pytest.raises(CommandError, match="--holder 999: not a contact"):
        bureau("register", "libre.test", "--org", organisation.slug, "--holder", "999")
    with pytest.raises(CommandError, match="--as personne: no such user"):
        bureau("--as", "personne", "list")
    assert "no domains yet" in bureau("list")
    assert "no history" in bureau("history", "libre.test")


def test_renew_delete_restore_say_what_they_cost(member: Actor, organisation: Organisation,
                                                sandbox: Sandbox) -> None:
    bureau("register", "été.test", "--org", organisation.slug)
    sandbox.clock.advance(days=6)  # past the add grace period
    assert "charged 10.00 EUR; balance of" in bureau("renew", "été.test")
    sandbox.clock.advance(days=6)  # past the renew grace period: a delete is restorable
    assert "bureau domain restore été.test" in bureau("delete", "été.test")
    assert "charged" in bureau("restore", "été.test")
    history = bureau("history", "été.test")  # a U-label finds the A-label's history
    assert "step=request" in history and "step=report" in history


def test_every_action_has_help() -> None:
    from bureau.cli.management.commands.domain import Command

    parser = Command().create_parser("bureau", "domain")
    text = parser.format_help()
    for action in ("check", "register", "renew", "delete", "restore", "info", "history"):
        assert f"    {action} " in text
