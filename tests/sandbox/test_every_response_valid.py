"""Every frame the sandbox sends in a test is schema-valid: a response that does not validate
is answered 2400 (which a test expecting an error could take for the right answer), so the
test harness fails the test when the sandbox stops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sandbox_client import EppClient

from bureau.sandbox import session
from bureau.sandbox.testing import start_sandbox


def test_an_invalid_response_fails_the_test_that_caused_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = session.render
    calls = []

    def broken(result: Any, cltrid: str | None, svtrid: str) -> bytes:
        frame = real(result, cltrid, svtrid)
        calls.append(frame)
        if len(calls) > 1:  # the 2400 that replaces it is rendered right
            return frame
        return frame.replace(b"<svTRID>", b"<svTRID>not-valid-here</svTRID><svTRID>", 1)

    with pytest.raises(AssertionError, match="do not validate against the EPP schemas"), \
            start_sandbox(tmp_path) as sandbox:
        client = EppClient(sandbox, "bureau")
        assert client.login().code == 1000
        monkeypatch.setattr(session, "render", broken)
        reply = client.domain_check("a.test")
        assert reply.code == 2400 and "invalid response" in reply.msg
        client.close()
