"""Bureau's REST API (``/api/v1/``): translates HTTP to the registrar's operations and back.

No business rule lives here: views resolve who calls and what they may touch, call one
operation, and serialise its result. Errors are RFC 9457 problem details (problems.py).
"""
