"""A recursive DNS resolver from Bureau's settings, for the registrar's and DNS hosting's checks
of names outside Bureau (own name servers, ownership challenges)."""

from __future__ import annotations

import dns.resolver


def make_resolver(addresses: list[str], *, lifetime: float = 4.0) -> dns.resolver.Resolver:
    """A recursive resolver: ``addresses`` ("host" or "host:port", one port for all), or the
    system's when empty."""
    res = dns.resolver.Resolver(configure=not addresses)
    if addresses:
        res.nameservers = []
        for item in addresses:
            host, _, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
            res.nameservers.append(host)
            res.port = int(port) if port else 53
    res.lifetime = lifetime
    return res
