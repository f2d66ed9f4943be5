"""Point a Registry row (and its TLDs) at a running sandbox registry: for `bureau run`, the
tests and the benchmarks. Prices: the sandbox's price plus a margin, in cents."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .models import BundlingPolicy, Registry, Tld

if TYPE_CHECKING:
    from bureau.sandbox.testing import Sandbox

DEMO_MARGIN = Decimal("2.00")


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def configure(sandbox: Sandbox, *, clid: str = "bureau", slug: str = "sandbox") -> Registry:
    account = sandbox.registrars[clid]
    registry, _created = Registry.objects.update_or_create(
        slug=slug,
        defaults={
            "name": sandbox.config.name,
            "host": sandbox.host,
            "port": sandbox.port,
            "client_id": account.clid,
            "password": account.password,
            "ca_file": str(sandbox.ca_file),
            "client_cert_file": str(account.cert_file),
            "client_key_file": str(account.key_file),
            "greeting_at": None,
        },
    )
    cfg = sandbox.config
    for policy in cfg.tlds.values():
        Tld.objects.update_or_create(
            name=policy.name,
            defaults={
                "registry": registry,
                "currency": policy.currency,
                "create_price": cents(policy.create + DEMO_MARGIN),
                "renew_price": cents(policy.renew + DEMO_MARGIN),
                "transfer_price": cents(policy.transfer + DEMO_MARGIN),
                "restore_price": cents(policy.restore + DEMO_MARGIN),
                "min_period": policy.min_period,
                "max_period": policy.max_period,
                "add_grace_days": cfg.add_grace_days,
                "renew_grace_days": cfg.renew_grace_days,
                "auto_renew_grace_days": cfg.autorenew_grace_days,
                "transfer_grace_days": cfg.transfer_grace_days,
                "redemption_days": cfg.redemption_days,
                "pending_delete_days": cfg.pending_delete_days,
                "bundling": BundlingPolicy.NONE if policy.bundle == "none"
                else BundlingPolicy.REGISTRY,
            },
        )
    return registry
