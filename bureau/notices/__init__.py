"""Notices to holders: nobody loses a name by surprise (issue 7, after the ANSSI advice).

What it does, module by module
------------------------------
- ``terms`` / ``timeline``: the date the holder paid up to (``Term.paid_until``, moved only by
  a paid order, never by a registry's auto-renewal) and the pure timeline after it: grace
  (renewable at the usual price; ``BUREAU_NOTICES_GRACE_DAYS``, kept inside the TLD's
  auto-renew grace and at least the 8 days of the ERRP), redemption (restore with its fee),
  pending delete, deletion.
- ``reminders``: one notice per step of ``BUREAU_NOTICES_REMINDER_DAYS`` (60, 30, 7, 1 days
  before, 2 after), to the holder, the billing contact and the billing people, in the
  holder's language, plain text and HTML, with dates, price and links.
- ``choices`` / ``renewal``: auto-renew as an explicit choice (domain or organisation, no
  default); the job renews ``BUREAU_NOTICES_AUTO_RENEW_DAYS`` before expiry through the
  registrar's renew operation; a failure is an urgent notice (once per term, retried every
  run). Late renewal during grace keeps the registry's auto-renewal year and charges it to
  the holder with an order. ``renew_for_holder`` is the one renew use case of the portal,
  the API and the job (one year at a time after expiry).
- ``parking``: ERRP interruption from expiry until renewal (name servers changed to
  ``BUREAU_NOTICES_PARKING_NAMESERVERS`` and DS removed, through the registrar's update, or a
  DNS-app provider), put back as soon as the term is paid again; ``release`` deletes a name
  nobody renewed at the end of grace. ``is_parked(domain)`` tells the DNS app (setting
  ``BUREAU_DNS_PARKED_CHECK``) not to send the DS back nor report the parking as drift.
- ``contacts``: email verification by a signed, single-use link valid ``BUREAU_NOTICES_
  VERIFY_DAYS`` (15) days, on creation and on change of address (signals), unless a person
  of the organisation already confirmed that address for their account (verified at once,
  not asked twice); a new contact's notices are in the language its person (or else the
  organisation's owner) chose for their emails; flag after that,
  clientHold when ``BUREAU_NOTICES_CONTACT_POLICY=suspend``; yearly "is this still right?";
  delivery failures (SMTP refusals; bounces with ``manage notices_bounce``) surfaced as
  "your contact data may be wrong".
- ``goodbye``: the checklist (mail/MX, accounts, partners, links, risk, keeping it parked)
  and the typed name before a deletion or a deliberate expiry; reminders stop then.
  ``give_up`` is the one way to give a name up (the goodbye page, the API's ``POST
  /domains/{name}/goodbye/``); ``delete_after_goodbye`` refuses a deletion without it (the
  API's ``DELETE``). The last reminder before expiry carries the same explanation
  (``explanation``: what stops working, the risks).
- ``review``: the registry's decision on a name it reviewed before registering it (the
  registrar's ``review_decided`` signal, sent once the decision is committed), to the same
  recipients as reminders: approved (registered, until when) or refused (the registry's
  reason, the reserved price credited back). Keyed ``review:<domain>``: one message, whether
  the poll or the reconciliation settles it, however often.
- ``status`` + ``{% load notices %}{% domain_notices domain %}``: the domain page panel.
- Pages under ``/notices/``: ``fees/``, ``parked/`` (for parked host names), ``verify/``,
  ``confirm/`` (GET shows a button, POST acts: mail scanners do not use links up),
  ``goodbye/<name>/``.

Decisions
---------
- Never twice: each message has a unique key in ``Notice`` (e.g. ``reminder:<domain>:<paid
  until>:<step>``); the row is claimed before sending, so two workers or a restart cannot
  send it again. The reminder run claims a whole batch in one INSERT ... ON CONFLICT DO
  NOTHING RETURNING (the rows returned are this run's), sends over one SMTP connection and
  records the outcomes with one UPDATE each (``mail.deliver_many``). A crash between claim
  and record never re-sends (the key is taken) and never hides the message: it stays "being
  sent", and after an hour ``mail.stale_claims`` reports it (``manage notices_stale``, the
  admin's "stale claims" filter, an error in the job's log) for the operator to settle. A
  mail server that cannot be reached releases the claim: the message goes out at the next
  run.
- Catch-up: a worker that was down sends, per name, only the latest step that fell due,
  written from the name's situation at that moment; older missed steps are not sent (no
  burst of stale reminders). The scheduler runs an overdue job at once when the worker
  starts, so the catch-up happens on start.
- "Now" is ``bureau.core.clock.now()``, Bureau's one clock, injectable (``clock.use``): tests set
  it to the sandbox registry's clock.
- One message per recipient: a refused address never blocks the others, and each refusal is
  recorded against its address.

French catalogue: ``locale/fr/LC_MESSAGES/django.po``, compiled .mo committed; after changing
strings run ``django-admin makemessages -l fr`` then ``django-admin compilemessages`` in this
folder.
"""
