"""Payment settings: Django setting, else environment, else default.

- ``BUREAU_PAYMENTS_IBAN`` / ``BUREAU_PAYMENTS_BIC`` the cooperative's account that members
  pay into (the default is a documentation IBAN: set the real one in production)
- ``BUREAU_PAYMENTS_BENEFICIARY`` the account holder's name shown to payers (the
  cooperative's name by default)
- ``BUREAU_PAYMENTS_CURRENCY`` the one currency balances are kept and paid in (EUR)
- ``BUREAU_PAYMENTS_STATEMENT_MAX_MB`` the largest statement uploaded in the portal or the
  API (100)
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from bureau.coop import conf as coop_conf
from bureau.env import setting as _get

DEMO_IBAN = "FR7630006000011234567890189"


def iban() -> str:
    return _get("BUREAU_PAYMENTS_IBAN", DEMO_IBAN).replace(" ", "").upper()


def bic() -> str:
    return _get("BUREAU_PAYMENTS_BIC", "AGRIFRPPXXX").replace(" ", "").upper()


def beneficiary() -> str:
    return _get("BUREAU_PAYMENTS_BENEFICIARY", "") or coop_conf.seller().name


def currency() -> str:
    return _get("BUREAU_PAYMENTS_CURRENCY", "EUR")


def creditor_id() -> str:
    """The cooperative's SEPA creditor identifier (ICS), given by its bank."""
    return _get("BUREAU_PAYMENTS_CREDITOR_ID", "FR72ZZZ123456").replace(" ", "").upper()


def prenotification_days() -> int:
    """Days between telling the member of a direct debit and collecting it (SEPA Core
    rulebook: 14 unless the mandate agrees otherwise)."""
    return int(_get("BUREAU_PAYMENTS_PRENOTIFICATION_DAYS", "14"))


def settlement_days() -> int:
    """Days a collection needs, after its due date, before a return is unlikely and a
    renewal can count on the money (returns may come later: they are still handled)."""
    return int(_get("BUREAU_PAYMENTS_SETTLEMENT_DAYS", "5"))


def statement_max_bytes() -> int:
    """The largest statement staff may upload in the portal or the API; the command
    (`bureau payments import`) takes any size. 100 MB is about 180,000 camt.053 lines, which
    import within the web server's time limit."""
    return int(float(_get("BUREAU_PAYMENTS_STATEMENT_MAX_MB", "100")) * 1_000_000)


def statement_advice() -> str:
    return _("Split the statement, or import it on the server with the command "
             "“bureau payments import FILE”, which takes a statement of any size.")


def stripe_secret_key() -> str:
    """Card payments by Stripe Checkout: hidden while unset."""
    return _get("BUREAU_PAYMENTS_STRIPE_SECRET_KEY", "")


def stripe_webhook_secret() -> str:
    return _get("BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET", "")


def stripe_api_base() -> str:
    """Where Stripe's API answers (its default when empty; the tests' stand-in otherwise)."""
    return _get("BUREAU_PAYMENTS_STRIPE_API_BASE", "")
