"""The EPC "SEPA QR" code (EPC069-12, version 002): a credit transfer a banking app fills in
from a scan. Rendered by segno as an SVG data: URL (the portal's CSP allows data: images)."""

from __future__ import annotations

import segno


def payload(*, name: str, iban: str, bic: str = "", amount: int | None = None,
            currency: str = "EUR", reference: str = "", text: str = "") -> str:
    """The code's text. ``amount`` in cents (None: the payer types it); a structured
    ``reference`` (RF...) excludes free ``text``, as the standard requires."""
    if currency != "EUR":
        raise ValueError("the EPC QR code carries euros only")
    if amount is not None and not 1 <= amount <= 99_999_999_999:
        raise ValueError("the EPC QR code carries 0.01 to 999999999.99 EUR")
    lines = ["BCD", "002", "1", "SCT", bic, name[:70], iban.replace(" ", ""),
             f"EUR{amount // 100}.{amount % 100:02d}" if amount is not None else "", "",
             reference.replace(" ", "") if reference else "", "" if reference else text[:140]]
    return "\n".join(lines).rstrip("\n")


def data_uri(text: str) -> str:
    # Error correction M, as EPC069-12 asks; UTF-8 (character set 1 above).
    return str(segno.make(text, error="m", micro=False, encoding="utf-8")
               .svg_data_uri(scale=4, border=4))
