"""Account security: the audit log of security events, organisation policies (required 2FA),
the organisations' people and invitations, personal API tokens and their scopes. Their use
cases are in ``operations`` (members.py, tokens.py), called by every door with an actor.

Other apps record an event with :func:`bureau.audit.log.record`, e.g. the API when a token is
created::

    from bureau.audit.log import EventKind, record
    record(EventKind.TOKEN_CREATED, user=request.user, organisation=org, request=request,
           detail={"token": token.prefix, "scopes": scopes})
"""
