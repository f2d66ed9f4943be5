"""Registry configuration: registrars, TLDs, prices, periods, grace lengths, bundling.

Built-in defaults make a useful demo registry; a TOML or JSON file can replace any part:

    [registry]            # lengths in days, sizes in bytes
    add_grace_days = 5
    max_frame_bytes = 65536

    [[registrars]]
    id = "bureau"
    password = "bureau-secret"
    balance = "100000.00"
    rdap_url = "https://rdap.example.coop/"   # the registrar's RDAP (the `related` link)

    [tlds.test]
    create = "8.00"
    renew = "8.00"
    premium = { shop = "250.00" }       # create/renew/transfer price of premium names
    reserved = ["nic"]
    bundle = "none"                     # or "variants" (variant table) or "tlds"
    bundle_tlds = []                    # with bundle = "tlds": the TLDs bundled together
    review_days = 0                     # > 0: creates wait this long for the registry's review
    contact_use = "sponsor"             # or "any": may a registrar link others' contacts
    min_period = 1                      # periods sold, in years (fee:check answers
    max_period = 10                     #   avail="0" for others, commands 2004)
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

# Real traditional -> simplified Chinese pairs; a small table is enough for tests and demo.
TRADITIONAL_TO_SIMPLIFIED: dict[str, str] = {
    "學": "学", "國": "国", "華": "华", "網": "网", "絡": "络", "東": "东", "書": "书",
    "長": "长", "門": "门", "馬": "马", "魚": "鱼", "龍": "龙", "雲": "云", "電": "电",
    "話": "话", "語": "语", "漢": "汉", "體": "体", "萬": "万", "廣": "广", "樂": "乐",
    "園": "园", "圖": "图", "醫": "医", "車": "车", "銀": "银", "說": "说", "開": "开",
    "風": "风", "愛": "爱", "實": "实", "驗": "验", "貓": "猫", "個": "个", "飛": "飞",
}  # fmt: skip


@dataclass(frozen=True)
class RegistrarAccount:
    id: str
    password: str
    balance: Decimal = Decimal("100000.00")
    credit_limit: Decimal = Decimal("0")
    # The registrar's RDAP base URL: the `related` link of the registry's RDAP answers.
    rdap_url: str = ""


@dataclass(frozen=True)
class TldPolicy:
    """Prices (per year) and rules of one TLD; `name` is the A-label without a dot."""

    name: str
    currency: str = "EUR"
    create: Decimal = Decimal("10.00")
    renew: Decimal = Decimal("10.00")
    transfer: Decimal = Decimal("10.00")
    restore: Decimal = Decimal("50.00")
    premium: dict[str, Decimal] = field(default_factory=dict)  # label -> price per year
    reserved: frozenset[str] = frozenset()
    bundle: str = "none"  # "none" | "variants" | "tlds"
    bundle_tlds: tuple[str, ...] = ()
    variants: dict[str, str] = field(default_factory=dict)  # traditional -> simplified
    min_period: int = 1
    max_period: int = 10
    # Names under review: a create answers 1001 (pendingCreate) and the registry decides this
    # many days later (approves), unless its staff decide earlier (see operator.py). 0: none.
    review_days: int = 0
    # Who may link a contact to a domain: "sponsor" (only the registrar sponsoring the
    # contact; another one transfers it first, with its authInfo) or "any" registrar.
    contact_use: str = "sponsor"


@dataclass(frozen=True)
class RegistryConfig:
    name: str = "Bureau sandbox registry"
    roid_suffix: str = "SBX"
    registrars: tuple[RegistrarAccount, ...] = ()
    tlds: dict[str, TldPolicy] = field(default_factory=dict)
    add_grace_days: int = 5
    renew_grace_days: int = 5
    autorenew_grace_days: int = 45
    transfer_grace_days: int = 5
    transfer_pending_days: int = 5
    transfer_lock_days: int = 0  # e.g. 60: no transfer so soon after creation or transfer
    redemption_days: int = 30
    pending_delete_days: int = 5
    pending_restore_days: int = 7
    max_years: int = 10
    max_frame_bytes: int = 65536
    session_limit: int = 32  # sessions per registrar
    idle_timeout: float = 600.0
    # RFC 8807: a password expires this many days after it was set (0: never); logins get a
    # warning event in the last `password_warning_days`.
    password_lifetime_days: int = 0
    password_warning_days: int = 15

    def registrar(self, clid: str) -> RegistrarAccount | None:
        return next((r for r in self.registrars if r.id == clid), None)


def default_config() -> RegistryConfig:
    """Two registrars and six TLDs: plain, premium-heavy, a cross-TLD bundle, Chinese IDN,
    names reviewed before they are created."""
    tlds = [
        TldPolicy(
            "test",
            create=Decimal("8.00"),
            renew=Decimal("8.00"),
            transfer=Decimal("8.00"),
            restore=Decimal("40.00"),
            premium={"shop": Decimal("250.00"), "cafe": Decimal("120.00")},
            reserved=frozenset({"nic", "whois", "registry"}),
        ),
        TldPolicy(
            "example",
            create=Decimal("12.00"),
            renew=Decimal("12.00"),
            transfer=Decimal("12.00"),
            premium={"bank": Decimal("5000.00"), "coop": Decimal("300.00")},
        ),
        TldPolicy("ngo", create=Decimal("30.00"), renew=Decimal("30.00"),
                  transfer=Decimal("30.00"), bundle="tlds", bundle_tlds=("ngo", "ong")),
        TldPolicy("ong", create=Decimal("30.00"), renew=Decimal("30.00"),
                  transfer=Decimal("30.00"), bundle="tlds", bundle_tlds=("ngo", "ong")),
        # 测试 ("test" in Chinese): labels with traditional/simplified variants are bundled.
        TldPolicy("xn--0zwm56d", create=Decimal("20.00"), renew=Decimal("20.00"),
                  transfer=Decimal("20.00"), bundle="variants",
                  variants=dict(TRADITIONAL_TO_SIMPLIFIED)),
        TldPolicy("review", create=Decimal("15.00"), renew=Decimal("15.00"),
                  transfer=Decimal("15.00"), review_days=2),
    ]  # fmt: skip
    return RegistryConfig(
        registrars=(
            RegistrarAccount("bureau", "bureau-secret"),
            RegistrarAccount("rival", "rival-secret"),
        ),
        tlds={t.name: t for t in tlds},
    )


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _tld(name: str, raw: dict[str, Any]) -> TldPolicy:
    kwargs: dict[str, Any] = {}
    for key in ("create", "renew", "transfer", "restore"):
        if key in raw:
            kwargs[key] = _money(raw[key])
    if "premium" in raw:
        kwargs["premium"] = {k: _money(v) for k, v in raw["premium"].items()}
    if "reserved" in raw:
        kwargs["reserved"] = frozenset(raw["reserved"])
    if "bundle_tlds" in raw:
        kwargs["bundle_tlds"] = tuple(raw["bundle_tlds"])
    for key in ("currency", "bundle", "min_period", "max_period", "review_days", "contact_use"):
        if key in raw:
            kwargs[key] = raw[key]
    if raw.get("bundle") == "variants":
        kwargs["variants"] = dict(raw.get("variants", TRADITIONAL_TO_SIMPLIFIED))
    if kwargs.get("bundle", "none") not in ("none", "variants", "tlds"):
        raise ValueError(f"TLD {name}: bundle must be none, variants or tlds")
    if kwargs.get("contact_use", "sponsor") not in ("sponsor", "any"):
        raise ValueError(f"TLD {name}: contact_use must be sponsor or any")
    return TldPolicy(name, **kwargs)


def load_config(path: Path | None) -> RegistryConfig:
    """The built-in defaults, with the sections of `path` (TOML or JSON) replacing them."""
    base = default_config()
    if path is None:
        return base
    text = path.read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    kwargs: dict[str, Any] = dict(raw.get("registry", {}))
    if "registrars" in raw:
        kwargs["registrars"] = tuple(
            RegistrarAccount(
                r["id"],
                r["password"],
                _money(r.get("balance", "100000.00")),
                _money(r.get("credit_limit", "0")),
                str(r.get("rdap_url", "")),
            )
            for r in raw["registrars"]
        )
    if "tlds" in raw:
        kwargs["tlds"] = {name: _tld(name, t) for name, t in raw["tlds"].items()}
    known = set(RegistryConfig.__dataclass_fields__)
    unknown = set(kwargs) - known
    if unknown:
        raise ValueError(f"{path}: unknown registry settings {sorted(unknown)}")
    merged = {k: getattr(base, k) for k in known}
    merged.update(kwargs)
    return RegistryConfig(**merged)
