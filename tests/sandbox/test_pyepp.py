"""An independent EPP client (pyepp, from PyPI) against the sandbox: proof of standard EPP."""

from __future__ import annotations

import pyepp
import pytest
from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyepp's own TLS options
def test_pyepp_login_check_create_info(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                       client: EppClient) -> None:
    assert client.contact_create("pyepp-holder").code == 1000  # pyepp always sends one
    # pyepp trusts the system CA store; point OpenSSL's default at the sandbox CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(sandbox.ca_file))
    account = sandbox.registrars["bureau"]
    epp = pyepp.EppCommunicator(sandbox.host, str(sandbox.port),
                                client_cert=str(account.cert_file),
                                client_key=str(account.key_file))
    greeting = epp.connect()
    assert b"urn:ietf:params:xml:ns:domain-1.0" in greeting
    login = epp.login(account.clid, account.password)
    assert login.code == 1000
    domain = pyepp.Domain(epp)
    check = domain.check(["thirdparty.test", "nic.test"], client_transaction_id="PYEPP-1")
    assert check.code == 1000
    assert 'avail="1">thirdparty.test' in str(check.raw_response)
    assert 'avail="0">nic.test' in str(check.raw_response)
    created = domain.create(pyepp.DomainData(domain_name="thirdparty.test", period=2,
                                             registrant="pyepp-holder",
                                             password="pyepp-pw-1"),
                            client_transaction_id="PYEPP-2")
    assert created.code == 1000, created
    info = domain.info("thirdparty.test", client_transaction_id="PYEPP-3")
    assert info.code == 1000
    assert "pyepp-holder" in str(info.result_data)
    assert epp.logout().code == 1500
    epp.disconnect()
    # The registry really holds it.
    reply = client.domain_info("thirdparty.test")
    assert reply.text("//domain:registrant") == "pyepp-holder"
