"""`bureau escrow ...` as the operator runs it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from escrow_fixtures import Party

from bureau.registrar.escrow.models import AlertKind, Deposit

from .conftest import Registrar, make_domains


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("escrow", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_deposit_verify_and_status(registrar: Registrar, escrow_settings: Path, agent: Party,
                                   capsys: Any) -> None:
    make_domains(registrar, 0, 50)
    out, err = run("deposit", "--full", "--date", "2026-11-20")
    assert "full deposit 2026-11-20: 50 rows, 1 data files" in out
    assert "50 sponsored names" in err
    assert "50/50 rows" in capsys.readouterr().err  # progress on the command line
    deposit = Deposit.objects.get()

    out, _ = run("verify", deposit.folder, "--agent-key", str(agent.secret))
    assert "full records: 50" in out and out.splitlines()[-2] == "OK"
    assert "deposit record: 2026-11-20 full -> written" in out

    out, _ = run("status")
    assert "2026-11-20 full written" in out
    assert "full deposit: never delivered" in out and "LATE" in out
    assert "threshold 100,000 per quarter" in out

    (Path(deposit.folder) / deposit.hash_file).unlink()
    with pytest.raises(CommandError, match="REJECTED"):
        run("verify", deposit.folder, "--agent-key", str(agent.secret))

    with pytest.raises(CommandError, match="already exists"):
        run("deposit", "--inc", "--date", "2026-11-20")


def test_admin_shows_deposits_alerts_and_threshold(registrar: Registrar, escrow_settings: Path,
                                                   client: Any) -> None:
    from django.contrib.auth.models import User

    from bureau.registrar.escrow.lateness import check_lateness

    check_lateness()  # never delivered: two alerts
    from allauth.mfa.models import Authenticator

    admin = User.objects.create_superuser("ops", "ops@bureau.example", "not-a-real-password")
    # The admin opens to staff with a second factor (docs/security.md).
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    client.force_login(admin)
    page = client.get("/admin/escrow/deposit/")
    assert page.status_code == 200
    assert "threshold 100,000 per quarter" in page.content.decode()
    alerts = client.get("/admin/escrow/escrowalert/").content.decode()
    # in the staff member's language (Bureau's default, French, unless they chose another)
    language = re.search(r'<html lang="([a-z-]+)"', alerts)
    assert language is not None
    with translation.override(language[1]):
        kinds = [str(AlertKind.LATE_FULL.label), str(AlertKind.LATE_INC.label)]
    assert all(kind in alerts for kind in kinds), kinds
