"""Bureau's REST API (``/api/v1/``): translates HTTP to the registrar's operations and back.

No business rule lives here: views resolve who calls and what they may touch (access.py),
call one operation (``bureau.registrar.operations``, ``bureau.audit.operations.members``,
``bureau.audit.operations.tokens``), and serialise its result. Errors are RFC 9457 problem details
(problems.py), with ``errors`` naming the fields at fault.

Endpoints (schema at ``schema/``, Swagger UI at ``docs/``, Redoc at ``redoc/``):

- ``search/?q=atelier`` availability and price in every TLD sold (premium flag, bundling TLDs);
  rate-limited per person (``BUREAU_CHECK_RATE``)
- ``domains/`` list (filters: organisation, state, tld, expires_before/after; search; ordering,
  expiring soonest first by default), ``POST`` registers; ``domains/{name}/`` read, ``PATCH``
  (name servers, contacts, locks, DS), ``DELETE``; ``renew/``, ``restore/``, ``holder/``,
  ``auth-code/`` (audited), ``transfer-out/approve/``, ``transfer-out/reject/``, ``history/``
- ``transfers/`` ``POST`` a transfer in with the transfer code (202 while pending)
- ``contacts/`` CRUD
- ``billing/balances/``, ``billing/ledger/``, ``billing/orders/``
- ``organisations/``, ``organisations/{slug}/members/`` (role change, removal),
  ``organisations/{slug}/invitations/`` (invite, withdraw)
- ``tokens/`` personal tokens: create (shown once), list, revoke

Authentication: ``Authorization: Bearer bureau_<prefix>_<secret>`` (a token acts for one
organisation with its person's role there, limited by its scopes: scopes.py), or the portal's
session (with CSRF). Failed token authentications are rate-limited per address.
"""
