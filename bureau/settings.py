"""Django settings for Bureau, read from the environment (bureau/env.py's helpers; every
``BUREAU_*`` variable is described in docs/configuration.md).

With nothing set, Bureau runs as the embedded demo would, but refuses to start without its
keys: `bureau run` (the demo, ``BUREAU_DEMO=1``) generates them once in the state folder.
Production sets ``BUREAU_STATE_DIR``, ``DATABASE_URL``, the keys and the rest that
`bureau check --deploy` asks for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from bureau.core.keys import configured_key, parse_field_keys, private_file, private_folder
from bureau.env import env_bool, env_float, env_int, env_list, env_str, state_dir
from bureau.logs import logging_config

# The embedded demo (`bureau run` sets it, and the tests): missing keys are generated in the
# state folder. Anything else refuses to start without them.
DEMO = env_bool("BUREAU_DEMO", False)

# One folder for everything Bureau keeps on disk (keys, the SQLite database, the sandbox's and
# the local PowerDNS's state, escrow deposits), readable by its owner only. The default is the
# `var` folder beside the `bureau` package (the repository's, in a checkout): never the folder
# a process happens to start in, so that the web server and the workers share their keys.
STATE_DIR = private_folder(state_dir())

DEBUG = env_bool("BUREAU_DEBUG", False)

# Bureau is reached over HTTPS (directly or through BUREAU_BEHIND_PROXY): secure cookies, a
# redirect to https and HSTS. Only the demo (plain http on loopback) and debugging turn it off.
HTTPS = env_bool("BUREAU_HTTPS", not DEBUG)

SECRET_KEY = configured_key("BUREAU_SECRET_KEY", STATE_DIR / "secret-key", 50, generate=DEMO)

# Keys for fields encrypted at rest (EPP passwords, auth codes). The first key encrypts; every
# key decrypts, so a new key can be put first and old rows re-encrypted at leisure.
FIELD_ENCRYPTION_KEYS = parse_field_keys(
    configured_key("BUREAU_FIELD_KEY", STATE_DIR / "field-key", 0, generate=DEMO))

ALLOWED_HOSTS = env_list("BUREAU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "bureau.core",
    "bureau.registrar.accounts",
    "bureau.registrar.registries",
    "bureau.registrar.contacts",
    "bureau.registrar.domains",
    "bureau.registrar.billing",
    "bureau.dns",
]

MIDDLEWARE = [
    "bureau.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files, from STATE_DIR/static (`bureau collectstatic`; `bureau run` does it).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bureau.api.middleware.RequestLimitsMiddleware",  # 413 before a body is read
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bureau.urls"
WSGI_APPLICATION = "bureau.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{STATE_DIR / 'bureau.sqlite3'}",
        conn_max_age=env_int("BUREAU_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's cursors bind parameters client-side and are never prepared; a statement run
    # with prepare=True on a psycopg cursor (the RDAP lookup, bureau/rdap/lookup.py) is, and
    # none by count alone.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    private_file(Path(DATABASES["default"]["NAME"]))
    # Workers and the web server share the file: wait for locks instead of failing at once,
    # and take the write lock at BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file (not memory) so that a worker in another process sees the test database.
    _db_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_db_file.with_name(f"test-{_db_file.name}"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("BUREAU_LANGUAGE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# Apps keep their catalogues in <app>/locale; the registrar apps share one.
LOCALE_PATHS = [Path(__file__).resolve().parent / "registrar" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = private_folder(STATE_DIR / "static")  # whitenoise warns when it is missing

# Database-backed job queue (django-tasks + django-tasks-db); `bureau worker` runs the jobs
# and enqueues the periodic ones (bureau.core.periodic).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The demo prints emails on standard output; production sends them through an SMTP server.
EMAIL_BACKEND = env_str(
    "BUREAU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("BUREAU_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("BUREAU_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("BUREAU_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("BUREAU_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("BUREAU_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("BUREAU_EMAIL_TLS", False)
EMAIL_TIMEOUT = 30

# Registrar policy that changes with ICANN's Transfer Policy: keep it in settings, not code.
BUREAU_REGISTRANT_CHANGE_LOCK_DAYS = env_int("BUREAU_REGISTRANT_CHANGE_LOCK_DAYS", 60)
BUREAU_TRANSFER_LOCK_DAYS = env_int("BUREAU_TRANSFER_LOCK_DAYS", 60)
# Seconds before the reconciliation settles an order still pending (its worker stopped), and
# before a job RUNNING on another machine counts as abandoned (bureau/core/recovery.py).
BUREAU_ORDER_SETTLE_AFTER = env_int("BUREAU_ORDER_SETTLE_AFTER", 600)
BUREAU_TASK_ABANDONED_AFTER = env_int("BUREAU_TASK_ABANDONED_AFTER", 3600)
# Contact handles Bureau creates at registries start with this prefix (bureau/registrar/
# operations/handles.py).
BUREAU_HANDLE_PREFIX = env_str("BUREAU_HANDLE_PREFIX", "bur")

# Every log record, Django's errors included, to standard error as JSON lines (bureau/logs.py).
LOGGING_CONFIG = "bureau.logs.configure"
LOGGING = logging_config(env_str("BUREAU_LOG_LEVEL", "INFO"))

# Health (/health/, bureau/core/health.py): each worker refreshes its heartbeat row every
# BUREAU_HEARTBEAT_EVERY seconds; a worker silent for BUREAU_HEALTH_WORKER_AFTER seconds, or a
# registry with no successful EPP exchange for BUREAU_HEALTH_EPP_AFTER, fails the check.
BUREAU_HEARTBEAT_EVERY = env_int("BUREAU_HEARTBEAT_EVERY", 10)
BUREAU_HEALTH_WORKER_AFTER = env_int("BUREAU_HEALTH_WORKER_AFTER", 60)
BUREAU_HEALTH_EPP_AFTER = env_int("BUREAU_HEALTH_EPP_AFTER", 600)

# Periodic jobs: name -> dotted path of a django-tasks task and its period in seconds.
# The demo: Bureau's clock is the sandbox registry's (`bureau run` sets it for its processes,
# so that `bureau forward` moves both).
BUREAU_CLOCK_FOLLOWS_SANDBOX = env_bool("BUREAU_CLOCK_FOLLOWS_SANDBOX", False)

BUREAU_PERIODIC_JOBS = {
    "verify-ledger": {"task": "bureau.registrar.tasks.verify_ledger", "every": 3600},
    "poll-registries": {"task": "bureau.registrar.tasks.process_poll_queues",
                        "every": env_int("BUREAU_POLL_EVERY", 60)},
    "reconcile": {"task": "bureau.registrar.tasks.reconcile", "every": 6 * 3600},
    # Orders left open by a crash wait minutes, not the 6 hours of the full reconciliation.
    "settle-orders": {"task": "bureau.registrar.tasks.settle_orders", "every": 300},
}

# DNS hosting (bureau.dns): the PowerDNS API Bureau publishes to (`bureau run` starts a local
# one and passes its URL and key), Bureau's name servers (and their addresses for the health
# checks, "ns1.example.net=192.0.2.1"), and secondaries as JSON
# [{"api_url": ..., "api_key": ..., "dns_address": "192.0.2.2:53"}].
BUREAU_PDNS_API_URL = env_str("BUREAU_PDNS_API_URL", "http://127.0.0.1:8081")
BUREAU_PDNS_API_KEY = env_str("BUREAU_PDNS_API_KEY", "")
BUREAU_PDNS_BACKEND = env_str("BUREAU_PDNS_BACKEND", "sqlite3")  # or gpgsql
BUREAU_PDNS_TIMEOUT = env_float("BUREAU_PDNS_TIMEOUT", 5.0)  # s, per API request
BUREAU_PDNS_PRIMARY_ADDRESS = env_str("BUREAU_PDNS_PRIMARY_ADDRESS", "127.0.0.1:53")
# Address ranges Bureau's processes reach the primary's DNS address from: a change at names
# that stay goes there as an RFC 2136 update signed with Bureau's key (each zone allows these
# ranges); empty: every change is an API PATCH (PowerDNS then rectifies the whole zone).
BUREAU_PDNS_UPDATE_FROM = env_list("BUREAU_PDNS_UPDATE_FROM", ["127.0.0.0/8", "::1/128"])
# Bureau's RFC 2136 door for members' ACME keys (`bureau dns_updates`): where it listens, and
# the "host:port" members are told to send updates to (empty: the listening address).
BUREAU_DNS_UPDATE_LISTEN = env_str("BUREAU_DNS_UPDATE_LISTEN", "127.0.0.1:8053")
BUREAU_DNS_UPDATE_ADDRESS = env_str("BUREAU_DNS_UPDATE_ADDRESS", "")
BUREAU_DNS_NAMESERVERS = env_list("BUREAU_DNS_NAMESERVERS", ["ns1.bureau.coop", "ns2.bureau.coop"])
BUREAU_DNS_NAMESERVER_ADDRESSES = env_list("BUREAU_DNS_NAMESERVER_ADDRESSES", [])
BUREAU_DNS_PORT = env_int("BUREAU_DNS_PORT", 53)
BUREAU_DNS_SECONDARIES = env_str("BUREAU_DNS_SECONDARIES", "[]")
# Addresses of the web server that shows the parking page: what parked names answer.
BUREAU_DNS_PARKING_ADDRESSES = env_list("BUREAU_DNS_PARKING_ADDRESSES", [])
# Seconds a DNSSEC key rollover waits for caches (TTLs) between two steps.
BUREAU_DNS_ROLLOVER_WAIT = env_int("BUREAU_DNS_ROLLOVER_WAIT", 2 * 86400)
# Resolvers Bureau checks names through ("host" or "host:port"; empty: the system's), and
# where the weekly job fetches the Public Suffix List.
BUREAU_DNS_RESOLVERS = env_list("BUREAU_DNS_RESOLVERS", [])
BUREAU_DNS_PUBLIC_SUFFIX_URL = env_str(
    "BUREAU_DNS_PUBLIC_SUFFIX_URL", "https://publicsuffix.org/list/public_suffix_list.dat")
BUREAU_PERIODIC_JOBS.update({
    "dns-reconcile": {"task": "bureau.dns.tasks.reconcile_zones", "every": 300},
    "dns-rollovers": {"task": "bureau.dns.tasks.advance_rollovers", "every": 3600},
    "dns-health": {"task": "bureau.dns.tasks.check_health", "every": 6 * 3600},
    "dns-acme-expiry": {"task": "bureau.dns.tasks.revoke_expired_acme_credentials", "every": 300},
    "dns-hosting-fees": {"task": "bureau.dns.tasks.charge_hosting", "every": 3600},
    "dns-public-suffixes": {"task": "bureau.dns.tasks.refresh_public_suffixes",
                            "every": 7 * 86400},
})

# --- Notices to holders (bureau.notices): reminders, auto-renew, ERRP parking, contact checks --
INSTALLED_APPS += ["bureau.notices"]
# Days before expiry a renewal reminder is sent; negative numbers are days after expiry.
BUREAU_NOTICES_REMINDER_DAYS = [int(d) for d in env_list("BUREAU_NOTICES_REMINDER_DAYS",
                                                         ["60", "30", "7", "1", "-2"])]
BUREAU_NOTICES_GRACE_DAYS = env_int("BUREAU_NOTICES_GRACE_DAYS", 30)
BUREAU_NOTICES_AUTO_RENEW_DAYS = env_int("BUREAU_NOTICES_AUTO_RENEW_DAYS", 14)
# Parked names are served by Bureau's own DNS (bureau.dns.operations.parking).
BUREAU_NOTICES_PARKING_NAMESERVERS = env_list("BUREAU_NOTICES_PARKING_NAMESERVERS",
                                              BUREAU_DNS_NAMESERVERS)
BUREAU_NOTICES_DNS_PARKING = env_str("BUREAU_NOTICES_DNS_PARKING",
                                     "bureau.dns.operations.parking.provider")
BUREAU_NOTICES_CONTACT_POLICY = env_str("BUREAU_NOTICES_CONTACT_POLICY", "warn")
BUREAU_NOTICES_VERIFY_DAYS = env_int("BUREAU_NOTICES_VERIFY_DAYS", 15)
BUREAU_NOTICES_CONFIRM_EVERY_DAYS = env_int("BUREAU_NOTICES_CONFIRM_EVERY_DAYS", 365)
BUREAU_NOTICES_FROM = env_str("BUREAU_NOTICES_FROM")  # empty: DEFAULT_FROM_EMAIL
# Links in emails lead to the portal. Production sets BUREAU_PORTAL_URL (`check --deploy`);
# `bureau run` sets it for its processes and for commands typed in another shell
# (bureau.env.adopt_run_settings); otherwise it is where BUREAU_ADDR says the web server listens.
BUREAU_PORTAL_URL = env_str("BUREAU_PORTAL_URL") or (
    "http://" + env_str("BUREAU_ADDR", "127.0.0.1:8000"))
# AGPL §13: where users get the running version's source (empty: Bureau serves it, /source/).
BUREAU_SOURCE_URL = env_str("BUREAU_SOURCE_URL", "")
BUREAU_PERIODIC_JOBS["notices"] = {"task": "bureau.notices.tasks.run_notices", "every": 3600}
# --- end of notices ----------------------------------------------------------------------------

# --- Portal and account security (bureau.web, bureau.audit, django-allauth) -------------------
# bureau.web comes before allauth so that its layout and catalogue override allauth's.
INSTALLED_APPS += ["bureau.web", "bureau.audit", "allauth", "allauth.account", "allauth.mfa"]
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    "bureau.web.middleware.RequireTwoFactorMiddleware",
    "bureau.web.middleware.ContentSecurityPolicyMiddleware",
]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("bureau.web.context.portal")
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
DEFAULT_FROM_EMAIL = env_str("BUREAU_FROM_EMAIL", "Bureau <bureau@localhost>")
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bureau] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Login lockout: allauth counts failed logins per IP and per account (in the default cache).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Bureau"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# TOTP secrets and recovery seeds encrypted with the field keys (bureau/audit/mfa.py).
MFA_ADAPTER = "bureau.audit.mfa.MfaAdapter"
# Sensitive actions (transfer codes, tokens, roles, deleting a name, turning 2FA off) need a
# password or second factor entered within this many seconds (docs/security.md).
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("BUREAU_REAUTHENTICATION_SECONDS", 300)
# Availability checks per person (or IP) and period; see bureau/web/ratelimit.py.
BUREAU_RATE_LIMITS = {"check": env_str("BUREAU_CHECK_RATE", "30/m")}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Strict policy: no inline script or style, nothing from elsewhere (QR codes are data: URLs).
BUREAU_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
if HTTPS:
    # Load balancers ask for /health/ in plain http.
    SECURE_REDIRECT_EXEMPT = [r"^health/?$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("BUREAU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("BUREAU_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("BUREAU_HSTS_PRELOAD", False)
if env_bool("BUREAU_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # Rate-limit counters must be shared by every web process (the table is made by the
    # migration audit.0002 when this cache is configured).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "bureau_cache"}}
# --- end of portal and account security --------------------------------------------------------

# --- REST API (bureau.api): DRF, OpenAPI (drf-spectacular, assets from the sidecar package) ---
INSTALLED_APPS += ["rest_framework", "django_filters", "drf_spectacular",
                   "drf_spectacular_sidecar", "bureau.api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bureau.api.authentication.BearerTokenAuthentication",
        "bureau.api.authentication.PortalSessionAuthentication",  # the portal, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bureau.api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend",
                                "rest_framework.filters.SearchFilter",
                                "rest_framework.filters.OrderingFilter"],
    # JSON with a depth limit; forms and multipart as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": ["bureau.api.parsers.LimitedJSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "bureau.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bureau.api.problems.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "check": env_str("BUREAU_CHECK_RATE", "30/m"),
        "auth-failure": env_str("BUREAU_API_AUTH_FAILURE_RATE", "20/m"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Rate limits count per client address: trust X-Forwarded-For only behind our own proxy.
    "NUM_PROXIES": 1 if env_bool("BUREAU_BEHIND_PROXY", False) else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bureau API",
    "DESCRIPTION": "Names, contacts, money and people of your organisations at Bureau, the "
                   "cooperative registrar. Errors are RFC 9457 problem details.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "bureau.api.schema.add_problem_responses"],
}
# --- end of REST API ---------------------------------------------------------------------------

# --- Cooperative (bureau.coop): its own settings are read in bureau/coop/conf.py ------------
INSTALLED_APPS += ["bureau.coop"]
BUREAU_PERIODIC_JOBS["coop-ballots"] = {"task": "bureau.coop.tasks.close_due_ballots",
                                       "every": 300}
BUREAU_PERIODIC_JOBS["coop-environment"] = {"task": "bureau.coop.tasks.record_environment",
                                           "every": 86400}

# --- Data escrow (bureau.registrar.escrow): its settings are read in bureau/registrar/escrow/
# conf.py (BUREAU_ESCROW_* environment variables: IANA ID, profile, key files, SFTP target) ---
INSTALLED_APPS += ["bureau.registrar.escrow"]
BUREAU_PERIODIC_JOBS.update({
    "escrow-full": {"task": "bureau.registrar.escrow.tasks.weekly_full", "every": 7 * 86400},
    "escrow-inc": {"task": "bureau.registrar.escrow.tasks.daily_incremental", "every": 86400},
    "escrow-lateness": {"task": "bureau.registrar.escrow.tasks.check_lateness", "every": 3600},
    "escrow-prune": {"task": "bureau.registrar.escrow.tasks.prune_history", "every": 86400},
})

# --- Payments (bureau.payments): bank transfers, statement import; its settings
# (BUREAU_PAYMENTS_IBAN, _BIC, _BENEFICIARY, _CURRENCY) are read in bureau/payments/conf.py ---
INSTALLED_APPS += ["bureau.payments"]
BUREAU_PERIODIC_JOBS["payments-debits"] = {
    "task": "bureau.payments.operations.jobs.plan_debits",
    "every": 6 * 3600}

# --- RDAP (bureau.rdap): served under /rdap/ and at the root of BUREAU_RDAP_HOST if set; its
# settings (BUREAU_RDAP_*: base URL, IANA ID, abuse contact, bootstrap file, rate) are read in
# bureau/rdap/conf.py ---
INSTALLED_APPS += ["bureau.rdap"]
# RDAP requests are answered right after the security middleware: none of the portal's
# middleware below applies to them (bureau/rdap/middleware.py).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "bureau.rdap.middleware.RdapMiddleware")
BUREAU_PERIODIC_JOBS["rdap-rate-counts"] = {"task": "bureau.rdap.tasks.forget_rate_counts",
                                            "every": 3600}

# --- The command line (bureau.cli): `bureau run`, `bureau domain`, `bureau contact`, an edge
# over the operations like the portal and the API ---
INSTALLED_APPS += ["bureau.cli"]
