"""EPP statuses (RFC 5731, RFC 3915) as RDAP status values (RFC 8056 section 2)."""

from __future__ import annotations

EPP_TO_RDAP = {
    "addPeriod": "add period",
    "autoRenewPeriod": "auto renew period",
    "clientDeleteProhibited": "client delete prohibited",
    "clientHold": "client hold",
    "clientRenewProhibited": "client renew prohibited",
    "clientTransferProhibited": "client transfer prohibited",
    "clientUpdateProhibited": "client update prohibited",
    "inactive": "inactive",
    "linked": "associated",
    "ok": "active",
    "pendingCreate": "pending create",
    "pendingDelete": "pending delete",
    "pendingRenew": "pending renew",
    "pendingRestore": "pending restore",
    "pendingTransfer": "pending transfer",
    "pendingUpdate": "pending update",
    "redemptionPeriod": "redemption period",
    "renewPeriod": "renew period",
    "serverDeleteProhibited": "server delete prohibited",
    "serverRenewProhibited": "server renew prohibited",
    "serverTransferProhibited": "server transfer prohibited",
    "serverUpdateProhibited": "server update prohibited",
    "serverHold": "server hold",
    "transferPeriod": "transfer period",
}


def rdap_statuses(epp_statuses: list[str]) -> list[str]:
    """The RDAP values, in the order of RFC 8056's table; unknown EPP values are left out."""
    present = set(epp_statuses)
    return [rdap for epp, rdap in EPP_TO_RDAP.items() if epp in present]
