"""Use cases of accounts and their security, one module each, called alike by the portal, the
API, the `bureau` command and the jobs, with an ``Actor`` (``bureau.registrar.operations.common``):

- members.py: organisations and their people: create, invite, withdraw an invitation,
  accept, change a role, remove, require two-factor authentication
- tokens.py: personal API tokens: create (and certificate tokens), authenticate, revoke

Each checks the actor's role, the organisation's 2FA requirement and, for sensitive actions,
a recent authentication (``bureau.core.credentials``), then records a security event naming
the door (``actor.label``). Errors are ``OperationError`` subclasses.
"""
