"""Bad input gets the right EPP error or a clean close, never a crash."""

from __future__ import annotations

import struct

import pytest
from sandbox_client import NS, EppClient

from bureau.sandbox.testing import Sandbox

EPP = NS["e"]


def still_alive(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.login().code == 1000
    assert c.domain_check("alive.test").code == 1000
    c.close()


@pytest.mark.parametrize(("payload", "code"), [
    (b"this is not xml", 2001),
    (b"<epp xmlns='urn:ietf:params:xml:ns:epp-1.0'><command>", 2001),
    (b"<epp xmlns='urn:example:wrong'><hello/></epp>", 2001),
    (b"<other/>", 2001),
    (f"<epp xmlns='{EPP}'><command><check><domain:check xmlns:domain='{NS['domain']}'>"
     "</domain:check></check></command></epp>".encode(), 2003),  # no name
    (f"<epp xmlns='{EPP}'><command><create><domain:create xmlns:domain='{NS['domain']}'>"
     "<domain:name>x.test</domain:name><domain:period unit='w'>1</domain:period>"
     "<domain:authInfo><domain:pw>a</domain:pw></domain:authInfo></domain:create></create>"
     "</command></epp>".encode(), 2005),  # period unit w
    (f"<epp xmlns='{EPP}'><command><info><domain:info xmlns:domain='{NS['domain']}'>"
     "<domain:name>x.test</domain:name></domain:info></info><extension>"
     "<x:thing xmlns:x='urn:example:unknown-ext'/></extension></command></epp>".encode(), 2103),
    (f"<epp xmlns='{EPP}'><command><check><foo:check xmlns:foo='urn:example:obj'>"
     "<foo:name>x</foo:name></foo:check></check></command></epp>".encode(), 2307),
    (f"<epp xmlns='{EPP}'><response/></epp>".encode(), 2001),
    ("<?xml version='1.0' encoding='UTF-8'?><epp xmlns='urn:ietf:params:xml:ns:epp-1.0'>"
     "<command><check><domain:check xmlns:domain='urn:ietf:params:xml:ns:domain-1.0'>"
     "<domain:name>\u00e9t\u00e9.test</domain:name></domain:check></check></command></epp>"
     .encode(), 2005),  # U-label instead of A-label
])
def test_bad_frames_get_error_codes(client: EppClient, sandbox: Sandbox, payload: bytes,
                                    code: int) -> None:
    client.send_raw(payload)
    assert client.read().code == code
    assert client.domain_check("ok.test").code == 1000  # the session goes on


def test_entity_bomb_and_dtd_refused(client: EppClient, sandbox: Sandbox) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
            b"]><epp xmlns='urn:ietf:params:xml:ns:epp-1.0'><hello/>&c;</epp>")
    client.send_raw(bomb)
    assert client.read().code == 2001
    external = (b'<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<epp xmlns='urn:ietf:params:xml:ns:epp-1.0'><hello/></epp>")
    client.send_raw(external)
    reply = client.read()
    assert reply.code == 2001 and b"root:" not in reply.raw
    still_alive(sandbox)


def test_oversized_frame_closes_cleanly(client: EppClient, sandbox: Sandbox) -> None:
    limit = sandbox.config.max_frame_bytes
    client.sock.sendall(struct.pack(">I", limit + 1000))
    reply = client.read()
    assert reply.code == 2500 and "exceeds" in reply.msg
    with pytest.raises((ConnectionError, OSError)):
        client.read()
    still_alive(sandbox)


def test_bogus_length_and_truncated_frames(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    c.sock.sendall(struct.pack(">I", 2))  # length smaller than the header
    with pytest.raises((ConnectionError, OSError)):
        c.read()
    c.close()
    c = EppClient(sandbox)
    c.sock.sendall(struct.pack(">I", 500) + b"<epp")  # then hang up mid-frame
    c.close()
    still_alive(sandbox)


def test_no_client_certificate_is_refused(sandbox: Sandbox) -> None:
    import socket
    import ssl

    context = ssl.create_default_context(cafile=str(sandbox.ca_file))
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                # TLS 1.3 reports the missing certificate on first read, or just closes.
                assert tls.recv(4) == b""
        except (ssl.SSLError, ConnectionError):
            pass
    still_alive(sandbox)


def test_unknown_poll_message_and_unknown_objects(client: EppClient) -> None:
    assert client.ack("999").code == 2303
    assert client.domain_info("nothing-here.test").code == 2303
    assert client.domain_delete("nothing-here.test").code == 2303
