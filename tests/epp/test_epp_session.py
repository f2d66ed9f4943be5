"""Session and pool against a real TLS EPP server (see conftest.FakeRegistry)."""

from __future__ import annotations

import asyncio
import threading
import time
from decimal import Decimal

import pytest
from lxml import etree

from bureau.epp import (
    CommandFailed,
    DomainCheck,
    DomainCheckData,
    DomainCreate,
    DomainInfo,
    EPPConnectionError,
    ExtensionNotLoggedIn,
    Fee,
    FeeCheck,
    FeeOffer,
    Hello,
    OutcomeUnknown,
    PoolTimeout,
    Session,
    SessionPool,
    namespaces,
)

from .conftest import FakeRegistry, response_xml, schema_validate

pytestmark = pytest.mark.timeout(60)


def test_connect_logs_in_with_the_uris_both_sides_know(registry: FakeRegistry) -> None:
    registry.exts = [namespaces.SECDNS, namespaces.RGP, "urn:example:registry-only-1.0"]
    with Session(registry.config()) as session:
        assert session.greeting is not None
        assert session.greeting.server_id == "Test Registry"
    (login,) = registry.logins
    assert login["objs"] == list(namespaces.OBJECTS)
    # fee, b-dn, changePoll not offered by the server; the registry-only one unknown to us.
    assert login["exts"] == [namespaces.SECDNS, namespaces.RGP]
    assert registry.executed == ["login", "logout"]


def test_client_side_uri_choice_is_respected(registry: FakeRegistry) -> None:
    config = registry.config(obj_uris=[namespaces.DOMAIN], ext_uris=[namespaces.FEE])
    with Session(config):
        pass
    assert registry.logins[0]["objs"] == [namespaces.DOMAIN]
    assert registry.logins[0]["exts"] == [namespaces.FEE]


def test_every_frame_sent_is_valid_and_a_command_returns_typed_data(
    registry: FakeRegistry,
) -> None:
    with Session(registry.config(new_password="n3w-secret")) as session:
        response = session.execute(DomainCheck(["bücher.example"], fee=FeeCheck(currency="EUR")))
        session.hello()
    assert isinstance(response.data, DomainCheckData)
    assert response.data["bücher.example"].available
    assert response.cltrid is not None and response.cltrid.startswith("BUR-")
    for frame in registry.frames:
        schema_validate(frame)
    assert len(registry.frames) == 4  # login, check, hello, logout


def test_command_failure_raises_with_code_and_reason(registry: FakeRegistry) -> None:
    def refuse(command: etree._Element, cltrid: str | None) -> bytes:
        return response_xml(2302, "Object exists", cltrid).replace(
            b"<msg>Object exists</msg>",
            b"<msg>Object exists</msg><extValue><value><x/></value>"
            b"<reason>Name is registered</reason></extValue>",
        )

    registry.handler = refuse
    with Session(registry.config()) as session, pytest.raises(CommandFailed) as caught:
        session.execute(DomainCreate("taken.example"))
    assert caught.value.code == 2302
    assert caught.value.reason == "Name is registered"
    assert caught.value.response.svtrid.startswith("SV-")


def test_wrong_password_is_a_connection_error(registry: FakeRegistry) -> None:
    session = Session(registry.config(password="wrong-pass"))
    with pytest.raises(EPPConnectionError) as caught:
        session.connect()
    assert caught.value.code == 2200
    assert not session.connected


def test_server_certificate_is_checked_against_the_hostname(registry: FakeRegistry) -> None:
    with pytest.raises(EPPConnectionError, match="TLS handshake"):
        Session(registry.config(server_hostname="registry.example")).connect()
    assert registry.logins == []


def test_tls_is_at_least_1_2(registry: FakeRegistry) -> None:
    with Session(registry.config()) as session:
        transport = session._transport
        assert transport is not None
        assert transport.sock.version() in ("TLSv1.2", "TLSv1.3")


def test_keepalive_sends_hello_when_idle(registry: FakeRegistry) -> None:
    with Session(registry.config(keepalive=0.2)) as session:
        session.keepalive()
        assert registry.hellos == 0  # not idle yet
        time.sleep(0.3)
        session.keepalive()
        assert registry.hellos == 1
        time.sleep(0.3)
        session.execute(DomainInfo("example.com"))  # idle again: proven alive first
        assert registry.hellos == 2
    assert registry.connections == 1


def test_reconnects_and_logs_in_again_after_the_server_closed(registry: FakeRegistry) -> None:
    with Session(registry.config()) as session:
        session.execute(DomainCheck(["a.example"]))
        registry.kill_connections()
        time.sleep(0.1)
        response = session.execute(DomainCheck(["b.example"]))
        assert response.ok
        assert session.logins == 2
    assert registry.connections == 2
    assert registry.executed.count("check") == 2  # nothing sent twice


def test_idle_timeout_on_the_server_side_is_survived(registry: FakeRegistry) -> None:
    registry.close_idle_after = 0.2
    with Session(registry.config()) as session:
        time.sleep(0.4)
        assert session.execute(DomainCheck(["a.example"])).ok
    assert len(registry.logins) == 2


def test_new_password_is_sent_once_then_used(registry: FakeRegistry) -> None:
    with Session(registry.config(new_password="n3w-secret")) as session:
        registry.kill_connections()
        time.sleep(0.1)
        session.execute(DomainCheck(["a.example"]))
    first, second = registry.logins
    assert (first["pw"], first["newPW"]) == ("s3cret-pw", "n3w-secret")
    assert (second["pw"], second["newPW"]) == ("n3w-secret", None)


def test_dropped_after_sending_is_outcome_unknown_and_never_retried(
    registry: FakeRegistry,
) -> None:
    with Session(registry.config()) as session:
        registry.drop_next = 1
        with pytest.raises(OutcomeUnknown) as caught:
            session.execute(DomainCreate("example.com"))
        assert caught.value.cltrid is not None
        assert not session.connected
        # The next command reconnects; the create is not sent again.
        assert session.execute(DomainInfo("example.com")).ok
    assert registry.executed.count("create") == 1
    assert registry.connections == 2


def test_timeout_is_outcome_unknown(registry: FakeRegistry) -> None:
    with Session(registry.config(timeout=0.3)) as session:
        registry.delay = 1.0
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown, match=r"within 0\.3s"):
            session.execute(DomainCreate("example.com"))
        assert time.monotonic() - started < 0.9
        registry.delay = 0.0
        assert session.execute(DomainInfo("example.com")).ok
    assert registry.executed.count("create") == 1


def test_oversized_frame_is_refused(registry: FakeRegistry) -> None:
    def huge(command: etree._Element, cltrid: str | None) -> bytes:
        return response_xml(1000, "x" * 5000, cltrid)

    with Session(registry.config(max_frame=4000)) as session:
        registry.handler = huge
        with pytest.raises(OutcomeUnknown, match="exceeds"):
            session.execute(DomainInfo("example.com"))


def test_extension_not_logged_in_is_refused_before_sending(registry: FakeRegistry) -> None:
    registry.exts = [namespaces.SECDNS]
    with Session(registry.config()) as session:
        with pytest.raises(ExtensionNotLoggedIn, match="fee"):
            session.execute(DomainCreate("example.com", fee=FeeOffer([Fee(Decimal(1))])))
        assert session.execute(DomainCheck(["a.example"])).ok
    assert "create" not in registry.executed


def test_session_verbs_are_not_commands(registry: FakeRegistry) -> None:
    with Session(registry.config()) as session, pytest.raises(TypeError, match="hello"):
        session.execute(Hello())


def test_pool_bound_is_respected_from_threads(registry: FakeRegistry) -> None:
    registry.delay = 0.05
    errors: list[BaseException] = []
    with SessionPool(registry.config(), size=3) as pool:

        def work(i: int) -> None:
            try:
                assert pool.execute(DomainCheck([f"n{i}.example"])).ok
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert pool.open_sessions == 3
    assert errors == []
    assert registry.max_active == 3
    assert registry.connections == 3
    assert registry.executed.count("check") == 24
    assert registry.executed.count("logout") == 3


def test_pool_bound_is_respected_from_asyncio(registry: FakeRegistry) -> None:
    registry.delay = 0.05

    async def main() -> list[bool]:
        async with SessionPool(registry.config(), size=2) as pool:
            responses = await asyncio.gather(
                *(pool.aexecute(DomainCheck([f"n{i}.example"])) for i in range(12))
            )
            return [r.ok for r in responses]

    assert asyncio.run(main()) == [True] * 12
    assert registry.max_active == 2
    assert registry.executed.count("check") == 12


def test_pool_wait_times_out_when_every_session_is_busy(registry: FakeRegistry) -> None:
    registry.delay = 0.5
    with SessionPool(registry.config(), size=1, acquire_timeout=0.1) as pool:
        busy = threading.Thread(target=pool.execute, args=(DomainCheck(["a.example"]),))
        busy.start()
        time.sleep(0.2)
        with pytest.raises(PoolTimeout, match="busy"):
            pool.execute(DomainCheck(["b.example"]))
        busy.join()
    assert registry.executed.count("check") == 1


def test_no_common_object_is_a_clear_connection_error(registry: FakeRegistry) -> None:
    registry.objs = ["urn:example:obj-only-1.0"]
    session = Session(registry.config())
    with pytest.raises(EPPConnectionError, match="none of the objects"):
        session.connect()
    assert not session.connected and registry.logins == []


def test_session_ending_codes_drop_the_connection(registry: FakeRegistry) -> None:
    answers = iter([response_xml(2502, "Session limit exceeded; server closing connection", None)])

    def limit(command: etree._Element, cltrid: str | None) -> bytes | None:
        return next(answers, None)

    registry.handler = limit
    with Session(registry.config()) as session:
        with pytest.raises(CommandFailed) as caught:
            session.execute(DomainInfo("example.com"))
        assert caught.value.code == 2502 and not session.connected
        assert session.execute(DomainInfo("example.com")).ok  # a new connection and login
    assert len(registry.logins) == 2
