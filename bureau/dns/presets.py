"""Built-in record templates (pure data, no Django): a mail provider's MX/SPF/DKIM/DMARC and a
web host. `{parameter}` placeholders are filled when a template is applied; the result goes
through the same validation as any record."""

from __future__ import annotations

from typing import Any

PRESETS: list[dict[str, Any]] = [
    {
        "slug": "mail-provider",
        "name": "Mail provider (MX, SPF, DKIM, DMARC)",
        "kind": "mail",
        "description": "Receive and send mail through a provider: MX, SPF, a DKIM key and a "
        "DMARC policy.",
        "parameters": [
            {"name": "mx", "label": "Mail server (MX)", "default": "mail.example.net."},
            {"name": "spf_include", "label": "SPF include", "default": "_spf.example.net"},
            {"name": "dkim_selector", "label": "DKIM selector", "default": "mail"},
            {"name": "dkim_key", "label": "DKIM public key (base64)", "default": ""},
            {"name": "dmarc_policy", "label": "DMARC policy", "default": "quarantine"},
            {"name": "dmarc_report", "label": "DMARC reports to", "default": ""},
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
        "name": "Web host (A, AAAA, www)",
        "kind": "web",
        "description": "Point the name and www to a web host.",
        "parameters": [
            {"name": "ipv4", "label": "IPv4 address", "default": "192.0.2.80"},
            {"name": "ipv6", "label": "IPv6 address", "default": "2001:db8::80"},
        ],
        "records": [
            {"name": "@", "type": "A", "content": "{ipv4}", "ttl": 3600},
            {"name": "@", "type": "AAAA", "content": "{ipv6}", "ttl": 3600},
            {"name": "www", "type": "CNAME", "content": "@", "ttl": 3600},
        ],
    },
]
