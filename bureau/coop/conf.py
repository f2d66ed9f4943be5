"""The cooperative's settings: read from Django settings when set there, else from the
environment, else a default. Everything statutory or legal lives here, not in code.

Environment variables (all optional):

- ``BUREAU_COOP_SHARE_VALUE`` nominal value of one share, cents (default 2000 = 20.00 EUR)
- ``BUREAU_COOP_CURRENCY`` (EUR)
- ``BUREAU_COOP_MAX_SHARES`` shares one person may hold (1000)
- ``BUREAU_COOP_COLLEGE_WEIGHT_MIN`` / ``_MAX`` statutory bounds of a college's weight, percent
  (10 / 50)
- ``BUREAU_COOP_PROPOSAL_BACKERS`` members (proposer included) whose backing makes a
  proposal a ballot for the board to schedule (5)
- ``BUREAU_COOP_NAME``, ``_LEGAL_FORM``, ``_RCS``, ``_SIREN``, ``_ADDRESS``, ``_VAT_NUMBER``,
  ``_EMAIL`` the seller's legal mentions printed on invoices
- ``BUREAU_COOP_VAT_RATE`` percent (20; 0 prints the franchise mention instead)
- ``BUREAU_COOP_PRICES_INCLUDE_VAT`` prices are TTC (1)
- ``BUREAU_COOP_PAYMENT_TERMS``, ``_LATE_PENALTY`` texts printed on invoices
- ``BUREAU_COOP_INVOICE_FONT``, ``_INVOICE_FONT_BOLD`` font files (TTF) invoices print
  with; default: what ``fc-match`` finds for DejaVu Sans (Debian's fonts-dejavu-core). The
  glyphs it lacks (Chinese, Japanese, Korean names) come from Noto Sans CJK (fonts-noto-cjk)
- ``BUREAU_COOP_SERVERS`` servers Bureau runs on; ``BUREAU_COOP_ESCROW_DIR`` deposits folder
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bureau.env import setting as _get


def share_value() -> int:
    """Nominal value of one share, in cents. Shares are never subscribed or refunded at
    any other value."""
    return int(_get("BUREAU_COOP_SHARE_VALUE", "2000"))


def currency() -> str:
    return _get("BUREAU_COOP_CURRENCY", "EUR")


def max_shares() -> int:
    return int(_get("BUREAU_COOP_MAX_SHARES", "1000"))


def college_weight_bounds() -> tuple[int, int]:
    """(min, max) percent a college may weigh in a weighted ballot (statutes)."""
    return (int(_get("BUREAU_COOP_COLLEGE_WEIGHT_MIN", "10")),
            int(_get("BUREAU_COOP_COLLEGE_WEIGHT_MAX", "50")))


def proposal_backers() -> int:
    """Members (the proposer included) who must back a proposal before it goes to a ballot."""
    return max(1, int(_get("BUREAU_COOP_PROPOSAL_BACKERS", "5")))


def servers() -> int:
    return int(_get("BUREAU_COOP_SERVERS", "2"))


def escrow_dir() -> str:
    return _get("BUREAU_COOP_ESCROW_DIR", "")


@dataclass(frozen=True)
class Seller:
    """What French law requires an invoice to say about the seller (Code de commerce
    L441-9 and R123-237, CGI art. 242 nonies A; loi 47-1775 art. 19 quinquies for SCIC)."""

    name: str
    legal_form: str
    rcs: str
    siren: str
    address: str
    vat_number: str
    email: str
    vat_rate: Decimal
    prices_include_vat: bool
    payment_terms: str
    late_penalty: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name, "legal_form": self.legal_form, "rcs": self.rcs,
            "siren": self.siren, "address": self.address, "vat_number": self.vat_number,
            "email": self.email, "vat_rate": str(self.vat_rate),
            "payment_terms": self.payment_terms, "late_penalty": self.late_penalty,
        }


def seller() -> Seller:
    return Seller(
        name=_get("BUREAU_COOP_NAME", "Bureau SCIC"),
        legal_form=_get("BUREAU_COOP_LEGAL_FORM",
                        "SCIC SARL à capital variable"),
        rcs=_get("BUREAU_COOP_RCS", "RCS Lyon 000 000 000"),
        siren=_get("BUREAU_COOP_SIREN", "000 000 000"),
        address=_get("BUREAU_COOP_ADDRESS", "1 place de la Coopération, 69001 Lyon, France"),
        vat_number=_get("BUREAU_COOP_VAT_NUMBER", "FR00000000000"),
        email=_get("BUREAU_COOP_EMAIL", "factures@bureau.coop"),
        vat_rate=Decimal(_get("BUREAU_COOP_VAT_RATE", "20")),
        prices_include_vat=_get("BUREAU_COOP_PRICES_INCLUDE_VAT", "1").lower()
        in {"1", "true", "yes", "on"},
        payment_terms=_get(
            "BUREAU_COOP_PAYMENT_TERMS",
            "Payée à la commande par prélèvement sur le solde prépayé ; pas d'escompte pour "
            "paiement anticipé."),
        late_penalty=_get(
            "BUREAU_COOP_LATE_PENALTY",
            "En cas de retard de paiement : pénalités au taux de trois fois le taux d'intérêt "
            "légal, et indemnité forfaitaire pour frais de recouvrement de 40 € "
            "(art. L441-10 et D441-5 du Code de commerce)."),
    )


# Invoices print names as people read them (U-labels): DejaVu Sans draws Latin, Greek,
# Cyrillic, Arabic and Hebrew, Noto Sans CJK the Chinese, Japanese and Korean it lacks.
INVOICE_FONTS = {"text": ("DejaVu Sans", "fonts-dejavu-core"),
                 "cjk": ("Noto Sans CJK SC", "fonts-noto-cjk")}


def _font_file(family: str, style: str, package: str) -> str:
    import subprocess

    from django.core.exceptions import ImproperlyConfigured

    try:
        answer = subprocess.run(["fc-match", "-f", "%{family}|%{file}", f"{family}:style={style}"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ImproperlyConfigured(
            f"invoices need the font {family} and fontconfig cannot be asked ({exc}): install "
            f"Debian's fontconfig and {package}") from exc
    found, _bar, file = answer.partition("|")
    if family not in found.split(","):
        raise ImproperlyConfigured(
            f"invoices need the font {family} (fontconfig found only {found or 'nothing'}): "
            f"install Debian's {package}, or set BUREAU_COOP_INVOICE_FONT")
    return file


def invoice_fonts() -> dict[str, tuple[str, str]]:
    """The font files of invoices, regular and bold: "text" (the settings, else DejaVu Sans)
    and "cjk" (Noto Sans CJK, for the glyphs the first lacks), found with fontconfig. Raises
    ImproperlyConfigured naming the Debian package when one is missing: an invoice whose
    names print as blanks is worse than none."""
    fonts = {}
    for role, (family, package) in INVOICE_FONTS.items():
        custom = role == "text"
        fonts[role] = (
            (custom and _get("BUREAU_COOP_INVOICE_FONT", "")) or _font_file(
                family, "Book" if role == "text" else "Regular", package),
            (custom and _get("BUREAU_COOP_INVOICE_FONT_BOLD", "")) or _font_file(
                family, "Bold", package))
    return fonts
