"""A registry that speaks EPP over TLS, for the demo and the tests (no Django).

Start it from Python with `bureau.sandbox.testing.start_sandbox()` or from the shell with
`bureau sandbox serve`. See `testing.py` for the API other code uses.
"""
