"""The member portal: server-rendered pages that call the registrar's operations.

How another app adds its pages to the portal
--------------------------------------------
1. Templates extend the portal layout and fill ``content`` (and optionally ``title``)::

       {% extends "web/base.html" %}
       {% load i18n %}
       {% block title %}{% translate "DNS zones" %}{% endblock %}
       {% block content %}<h1>…</h1>{% endblock %}

   The layout gives a skip link, landmarks (header/nav/main/footer), the messages, the
   language switcher and the organisation switcher. Use the CSS classes of
   ``web/static/web/bureau.css`` (``.card``, ``.table``, ``.button``, ``.button.secondary``,
   ``.button.danger``, ``.form-field``, ``.errorlist``, ``.badge``, ``.muted``, ``.actions``).

2. Add a navigation entry by giving the app's ``AppConfig`` a ``portal_nav`` attribute: a list
   of ``(url_name, label)`` pairs (labels lazily translated); the layout shows them to people
   who are logged in, in app order::

       class DnsConfig(AppConfig):
           name = "bureau.dns"
           portal_nav = [("dns:zones", _("DNS"))]

3. In views, the current organisation and the person's role come from
   ``bureau.web.organisations.current(request)`` (a ``Membership`` or ``None``); check what a
   role may do with ``bureau.registrar.accounts.permissions.allows(role, Permission.X)``, and
   fetch objects with ``organisation=membership.organisation`` so that another organisation's
   rows answer 404. Decorate views with ``bureau.web.organisations.member_required``.

Security, in short
------------------
- Accounts, email verification, password reset, TOTP, passkeys (WebAuthn) and recovery codes
  are django-allauth's (settings block "Portal and account security" in bureau/settings.py);
  its pages render inside this layout (templates/allauth/layouts/base.html).
- Every object is fetched with the current organisation in the query: another organisation's
  object answers 404. Roles: ``bureau.registrar.accounts.permissions`` (one map, shared with
  the API); the operations check the same roles again.
- An organisation can require 2FA (``bureau.audit.operations.members.set_require_2fa``); the
  ``RequireTwoFactorMiddleware`` sends its people without a second factor to set one up.
- Security events (logins, failed logins, 2FA changes, tokens, transfer codes shown, roles,
  invitations) go to ``bureau.audit`` and are shown to the organisation's owners.
- Login lockout: allauth's rate limits (``ACCOUNT_RATE_LIMITS``); availability checks:
  ``bureau.web.ratelimit`` (``BUREAU_RATE_LIMITS``). Both count in the default cache, a
  database cache in production so that every process shares the counters.
- Production (``BUREAU_DEBUG=0``): secure cookies, HSTS, HTTPS redirect (``BUREAU_SSL_REDIRECT``),
  and a strict Content-Security-Policy (``BUREAU_CSP``: no inline script or style, so
  templates use CSS classes and static script files only).
"""
