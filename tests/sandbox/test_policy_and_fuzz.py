"""Policy files load; random bytes never crash the server."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_client import EppClient

from bureau.sandbox.policy import load_config
from bureau.sandbox.testing import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "bureau" / "sandbox" / "sandbox.example.toml"


def test_example_policy_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.registrar("rival") is not None
    assert config.registrar("rival").balance == Decimal("5000.00")  # type: ignore[union-attr]
    assert config.tlds["test"].premium["shop"] == Decimal("250.00")
    assert config.tlds["xn--0zwm56d"].variants["學"] == "学"
    assert config.tlds["review"].review_days == 2 and config.tlds["test"].review_days == 0
    assert "example" not in config.tlds  # a file's [tlds] replaces the built-in list


def test_unknown_setting_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"registry": {"grace": 3}}')
    with pytest.raises(ValueError, match="unknown registry settings"):
        load_config(path)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(
    st.binary(min_size=1, max_size=300),
    st.text(min_size=1, max_size=200).map(lambda t: f"<epp xmlns='urn:ietf:params:xml:ns:"
                                                    f"epp-1.0'>{t}</epp>".encode()),
))
def test_random_frames_never_crash(sandbox: Sandbox, payload: bytes) -> None:
    c = EppClient(sandbox)
    assert c.login().code == 1000
    c.send_raw(payload)
    reply = c.read()
    assert reply.code in (2001, 2003, 2005, 2103)
    assert c.domain_check("alive.test").code == 1000
    c.close()
