"""`{% load dns_text %}`: what the DNS app stores in English, in the reader's language
(bureau/dns/messages.py): ``change.summary|summary_text``, ``problem|health_text``,
``template.name|known``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from bureau.dns import messages

register = template.Library()


@register.filter
def summary_text(summary: str) -> str:
    return messages.summary_text(str(summary or ""))


@register.filter
def health_text(problem: Mapping[str, Any]) -> str:
    return messages.health_text(problem)


@register.filter
def known(text: str) -> str:
    return messages.known(str(text or ""))
