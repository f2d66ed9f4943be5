"""The library's side of issue 16 against the sandbox: RFC 8807 login security (long
passwords, user agent, password expiry events) and fee:check answers for periods a registry
does not sell (RFC 8748 avail="0")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bureau.epp import (
    DomainCheck,
    EPPConnectionError,
    FeeCheck,
    FeeCheckData,
    FeeCommand,
    Login,
    Period,
    Session,
    UserAgent,
    namespaces,
)
from bureau.epp.schema import validate
from bureau.sandbox import store
from bureau.sandbox.policy import default_config

from .conftest import sandbox_config

LONG = "correct horse battery staple, well past sixteen"


@pytest.fixture
def expiring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A sandbox whose passwords live 90 days, with a warning in the last 10."""
    from bureau.sandbox import testing

    config = replace(default_config(), password_lifetime_days=90, password_warning_days=10)
    with testing.start_sandbox(tmp_path / "sandbox", config) as running:
        yield running


def test_login_frames_with_login_security_are_valid() -> None:
    login = Login(client_id="bureau", password=LONG, new_password="another " + LONG,
                  obj_uris=(namespaces.DOMAIN,), ext_uris=(namespaces.LOGIN_SEC,),
                  login_security=True, user_agent=UserAgent(app="Bureau", os="Linux"))
    frame = login.to_xml("ABC-1")
    validate(frame)
    assert b"<pw>[LOGIN-SECURITY]</pw>" in frame and b"<newPW>[LOGIN-SECURITY]</newPW>" in frame
    assert LONG.encode() in frame and b"loginSec:userAgent" in frame
    with pytest.raises(ValueError, match="RFC 8807"):
        Login(client_id="bureau", password=LONG, obj_uris=(namespaces.DOMAIN,))
    short = Login(client_id="bureau", password="short-pw", obj_uris=(namespaces.DOMAIN,),
                  ext_uris=(namespaces.LOGIN_SEC,), login_security=True).to_xml("ABC-2")
    validate(short)
    assert b"<pw>short-pw</pw>" in short and b"loginSec:pw" not in short


def test_password_longer_than_16_characters(sandbox: object) -> None:
    with Session(sandbox_config(sandbox, new_password=LONG)) as session:
        assert session.login_events == ()
    with Session(sandbox_config(sandbox, password=LONG)) as session:
        assert session.execute(DomainCheck(["long-pw.test"])).ok
    db_path = sandbox.db_path  # type: ignore[attr-defined]
    conn = store.connect(db_path)
    agent = conn.execute("SELECT user_agent FROM registrars WHERE id = 'bureau'").fetchone()[0]
    conn.close()
    assert agent.startswith("app=Bureau; tech=Python")
    # Without login security on offer, a long password cannot be sent: said before sending.
    plain = sandbox_config(sandbox, password=LONG,
                           ext_uris=tuple(u for u in namespaces.EXTENSIONS
                                          if u != namespaces.LOGIN_SEC))
    with pytest.raises(EPPConnectionError, match="RFC 8807"):
        Session(plain).connect()


def test_password_expiry_events_reach_the_caller(expiring: object,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    with Session(sandbox_config(expiring)) as session:
        assert session.login_events == ()
    expiring.clock.advance(days=85)  # type: ignore[attr-defined]
    with Session(sandbox_config(expiring)) as session:
        (event,) = session.login_events
        assert (event.type, event.level, event.error) == ("password", "warning", False)
        assert event.expires is not None
    assert "password" in caplog.text and "warning" in caplog.text
    expiring.clock.advance(days=10)  # type: ignore[attr-defined]
    with pytest.raises(EPPConnectionError) as refused:
        Session(sandbox_config(expiring)).connect()
    assert refused.value.code == 2200
    assert [e.level for e in refused.value.events] == ["error"]
    assert "expire" in str(refused.value)
    with Session(sandbox_config(expiring, new_password="renewed-secret")) as session:
        assert session.login_events == ()


@pytest.mark.parametrize("period", [Period(6, "m"), Period(18, "m"), Period(99)])
def test_fee_check_for_a_period_not_sold(sandbox: object, period: Period) -> None:
    with Session(sandbox_config(sandbox)) as session:
        response = session.execute(DomainCheck(
            ["shop.test", "plain.test"], fee=FeeCheck([FeeCommand("create", period)])))
    fees: FeeCheckData = response.extension(FeeCheckData)
    for name in ("shop.test", "plain.test"):
        result = fees.for_name(name)
        assert result is not None and not result.available
        assert result.reason and "not sold" in result.reason
        assert result.quote("create") is None
