"""Legal and help pages, public: the legal notice, terms of sale, privacy notice, the
cooperative's statutes and rules, contact, help. Their operator-specific parts are settings
(docs/configuration.md, "Legal pages"); the seller's identity is the cooperative's
(bureau.coop.conf)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bureau.coop import conf as coop_conf
from bureau.env import setting


def operator() -> dict[str, str]:
    """Who runs this Bureau and what the pages must say about it."""
    return {
        **coop_conf.seller().as_dict(),
        "publisher": setting("BUREAU_LEGAL_PUBLISHER"),
        "host": setting("BUREAU_LEGAL_HOST"),
        "statutes_url": setting("BUREAU_LEGAL_STATUTES_URL"),
        "rules_url": setting("BUREAU_LEGAL_RULES_URL"),
        "privacy_email": setting("BUREAU_LEGAL_PRIVACY_EMAIL") or coop_conf.seller().email,
        "escrow_agent": setting("BUREAU_LEGAL_ESCROW_AGENT"),
        "registration_years": setting("BUREAU_LEGAL_REGISTRATION_RETENTION_YEARS", "2"),
        "accounting_years": setting("BUREAU_LEGAL_ACCOUNTING_RETENTION_YEARS", "10"),
    }


def page(name: str) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, f"web/legal/{name}.html", {"operator": operator()})
    view.__name__ = name
    return view


notice = page("notice")
terms = page("terms")
privacy = page("privacy")
cooperative = page("cooperative")
contact = page("contact")
help_page = page("help")
