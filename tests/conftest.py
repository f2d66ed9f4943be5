"""Root of the test suites: loads the fixtures several suites share (tests/registrar_fixtures.py,
tests/escrow_fixtures.py, tests/browser_fixtures.py, tests/mail_fixtures.py,
tests/dns_fixtures.py).

Declared here because pytest only accepts `pytest_plugins` in the top-level conftest.py."""

pytest_plugins = ["registrar_fixtures", "escrow_fixtures", "browser_fixtures", "mail_fixtures",
                  "dns_fixtures"]
