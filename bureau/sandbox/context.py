"""What a command handler gets: the store, the policy, the time, who is asking, the frame."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from bureau.sandbox.errors import EppError
from bureau.sandbox.names import split
from bureau.sandbox.policy import RegistryConfig, TldPolicy
from bureau.sandbox.xmlio import Element


@dataclass
class Ctx:
    conn: sqlite3.Connection
    config: RegistryConfig
    now: int
    clid: str
    svtrid: str
    cltrid: str | None = None
    extensions: dict[str, Element] = field(default_factory=dict)  # ns -> command extension
    selected: frozenset[str] = frozenset()  # object and extension URIs chosen at login

    def ext(self, uri: str) -> Element | None:
        return self.extensions.get(uri)

    def wants(self, uri: str) -> bool:
        """Responses carry an object's data or an extension only for clients that selected
        its namespace at login."""
        return uri in self.selected

    def tld_of(self, name: str) -> TldPolicy:
        policy = self.config.tlds.get(split(name)[1])
        if policy is None:
            raise EppError(2306, f"{name}: this registry does not serve .{split(name)[1]}"
                                 f" (served: {', '.join(sorted(self.config.tlds))})")
        return policy

    def years(self, value: int, unit: str, policy: TldPolicy) -> int:
        return years_sold(self.config, policy, value, unit)


def years_sold(config: RegistryConfig, policy: TldPolicy, value: int, unit: str) -> int:
    """A period in years as `policy` sells it; months only in whole years (RFC 5731 pUnit m).
    EppError(2004) otherwise: fee:check answers avail="0" with the same reason."""
    if unit == "m":
        if value % 12:
            raise EppError(2004, f"a period of {value} months is not sold: .{policy.name}"
                                 " is sold in whole years")
        value //= 12
    low, high = policy.min_period, min(policy.max_period, config.max_years)
    if not low <= value <= high:
        raise EppError(2004, f"a period of {value} years is not sold: .{policy.name} is sold"
                             f" for {low}-{high} years")
    return value
