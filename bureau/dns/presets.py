"""Built-in record templates (pure data, no Django): a mail provider's MX/SPF/DKIM/DMARC and a
web host. `{parameter}` placeholders are filled when a template is applied; the result goes
through the same validation as any record."""

from __future__ import annotations

from typing import Any


def gettext_noop(text: str) -> str:
    """Marks a text for Bureau's catalogue (pages show it translated: bureau.dns.messages)
    without importing Django here."""
    return text


PRESETS: list[dict[str, Any]] = [
    {
        "slug": "mail-provider",
        "name": gettext_noop("Mail provider (MX, SPF, DKIM, DMARC)"),
        "kind": "mail",
        "description": gettext_noop("Receive and send mail through a provider: MX, SPF, a "
                                    "DKIM key and a DMARC policy."),
        "parameters": [
            {"name": "mx", "label": gettext_noop("Mail server (MX)"),
             "default": "mail.example.net."},
            {"name": "spf_include", "label": gettext_noop("SPF include"),
             "default": "_spf.example.net"},
            {"name": "dkim_selector", "label": gettext_noop("DKIM selector"), "default": "mail"},
            {"name": "dkim_key", "label": gettext_noop("DKIM public key (base64)"), "default": ""},
            {"name": "dmarc_policy", "label": gettext_noop("DMARC policy"),
             "default": "quarantine"},
            {"name": "dmarc_report", "label": gettext_noop("DMARC reports to"), "default": ""},
        ],
        "records": [
            {"name": "@", "type": "MX", "content": "10 {mx}", "ttl": 3600},
            {"name": "@", "type": "TXT", "content": "v=spf1 mx include:{spf_include} -all",
             "ttl": 3600},
            {"name": "{dkim_selector}._domainkey", "type": "TXT",
             "content": "v=DKIM1; k=rsa; p={dkim_key}", "ttl": 3600},
            {"name": "_dmarc", "type": "TXT",
             "content": "v=DMARC1; p={dmarc_policy}; rua=mailto:{dmarc_report}", "ttl": 3600},
        ],
    },
    {
        "slug": "web-host",
        "name": gettext_noop("Web host (A, AAAA, www)"),
        "kind": "web",
        "description": gettext_noop("Point the name and www to a web host."),
        "parameters": [
            {"name": "ipv4", "label": gettext_noop("IPv4 address"), "default": "192.0.2.80"},
            {"name": "ipv6", "label": gettext_noop("IPv6 address"), "default": "2001:db8::80"},
        ],
        "records": [
            {"name": "@", "type": "A", "content": "{ipv4}", "ttl": 3600},
            {"name": "@", "type": "AAAA", "content": "{ipv6}", "ttl": 3600},
            {"name": "www", "type": "CNAME", "content": "@", "ttl": 3600},
        ],
    },
]
