"""Operations: one module per use case, called alike by the web, the API, the CLI and jobs.

Every function takes keyword arguments, an ``Actor`` (a person, or ``Actor.system("poll")``),
and raises an ``errors.OperationError`` subclass (with ``.field`` and a message a person can
act on) or ``billing.ledger.InsufficientFunds`` when it refuses. Each module's docstring
lists its errors. The sensitive ones (``delete``, ``reveal_auth_info``) also raise
``core.credentials.ReauthenticationRequired`` unless the actor's credential is recent.
Domain, history and money are stored in one transaction; an unknown EPP outcome is settled
with an info before anything else, never by retrying.

    check.check(names, operation="create", period=1) -> list[Quote]
    register.register(organisation=, actor=, name=, registrant=, period=1, admin=, tech=,
                      billing=, nameservers=(), accepted_price=None) -> Registration
    renew.renew(domain=, actor=, period=1, accepted_price=None) -> Done
        (the edges call notices.renewal.renew_for_holder, which uses it before expiry)
    update.update(domain=, actor=, nameservers=, admin=, tech=, billing=, locks={...},
                  ds_records=[DS(...)]) -> Done
    registrant.change_registrant(domain=, actor=, new_registrant=, old_holder_consent=,
                                 new_holder_consent=, opt_out_of_transfer_lock=False) -> Done
    delete.delete(domain=, actor=) -> Done
    restore.restore(domain=, actor=, accepted_price=None) -> Done
    transfer.transfer_in(organisation=, actor=, name=, auth_info=, accepted_price=None,
                         holder=None) -> Done
    transfer.approve_transfer_out(domain=, actor=) / reject_transfer_out(...) -> Done
    transfer.reveal_auth_info(domain=, actor=) -> str          (history and security log)
    contacts.save_contact(organisation=, actor=, changes=, contact=None) -> SavedContact
                                                  (a change is sent to every registry)
    hosts.create_host(registry, organisation, name, addresses, superordinate=None) -> Host
    poll.process_poll_queue(registry) -> int                  (job: tasks.process_poll_queues)
    reconcile.settle_unknown_orders() / reconcile_domains()   (job: tasks.reconcile)
"""
