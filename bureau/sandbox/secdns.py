"""RFC 5910 secDNS-1.1 on domains: dsData or keyData (one interface per domain), maxSigLife."""

from __future__ import annotations

from typing import Any

from bureau.sandbox.errors import EppError
from bureau.sandbox.xmlio import Element, child, children, el, sub, text

_DS = ("keyTag", "alg", "digestType", "digest")
_KEY = ("flags", "protocol", "alg", "pubKey")


def _key(node: Element) -> dict[str, str]:
    return {f: text(node, f"secDNS:{f}") or "" for f in _KEY}


def _ds(node: Element) -> dict[str, Any]:
    data: dict[str, Any] = {f: text(node, f"secDNS:{f}") or "" for f in _DS}
    data["digest"] = data["digest"].upper()
    key = child(node, "secDNS:keyData")
    if key is not None:
        data["keyData"] = _key(key)
    return data


def _records(parent: Element) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return ([_ds(n) for n in children(parent, "secDNS:dsData")],
            [_key(n) for n in children(parent, "secDNS:keyData")])


def _check(state: dict[str, Any]) -> dict[str, Any]:
    if state.get("ds") and state.get("key"):
        raise EppError(2306, "a domain uses either dsData or keyData, not both")
    return state


def from_create(ext: Element) -> dict[str, Any]:
    ds, key = _records(ext)
    state: dict[str, Any] = {"ds": ds, "key": key}
    life = text(ext, "secDNS:maxSigLife")
    if life:
        state["maxSigLife"] = int(life)
    return _check(state)


def apply_update(state: dict[str, Any], ext: Element) -> dict[str, Any]:
    if ext.get("urgent") in ("1", "true"):
        raise EppError(2102, "urgent secDNS updates are not offered")
    new = {"ds": list(state.get("ds", [])), "key": list(state.get("key", [])),
           **({"maxSigLife": state["maxSigLife"]} if "maxSigLife" in state else {})}
    rem = child(ext, "secDNS:rem")
    if rem is not None:
        if text(rem, "secDNS:all") in ("1", "true"):
            new["ds"], new["key"] = [], []
        ds, key = _records(rem)
        # A dsData to remove matches on its four DS fields (keyData inside is ignored).
        gone = [{f: d[f] for f in _DS} for d in ds]
        new["ds"] = [d for d in new["ds"] if {f: d[f] for f in _DS} not in gone]
        new["key"] = [k for k in new["key"] if k not in key]
    add = child(ext, "secDNS:add")
    if add is not None:
        ds, key = _records(add)
        new["ds"] += [d for d in ds if d not in new["ds"]]
        new["key"] += [k for k in key if k not in new["key"]]
    chg = child(ext, "secDNS:chg")
    if chg is not None:
        life = text(chg, "secDNS:maxSigLife")
        if life:
            new["maxSigLife"] = int(life)
    return _check(new)


def info_element(state: dict[str, Any]) -> Element | None:
    if not state.get("ds") and not state.get("key"):
        return None
    info = el("secDNS:infData")
    if "maxSigLife" in state:
        sub(info, "secDNS:maxSigLife", str(state["maxSigLife"]))
    for ds in state.get("ds", []):
        node = sub(info, "secDNS:dsData")
        for f in _DS:
            sub(node, f"secDNS:{f}", ds[f])
        if "keyData" in ds:
            _key_element(node, ds["keyData"])
    for key in state.get("key", []):
        _key_element(info, key)
    return info


def _key_element(parent: Element, key: dict[str, str]) -> None:
    node = sub(parent, "secDNS:keyData")
    for f in _KEY:
        sub(node, f"secDNS:{f}", key[f])
