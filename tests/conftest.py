"""Root of the test suites: loads the registrar fixtures they share (tests/registrar_fixtures.py).

Declared here because pytest only accepts `pytest_plugins` in the top-level conftest.py."""

pytest_plugins = ["registrar_fixtures"]
