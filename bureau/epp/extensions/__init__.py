"""EPP extensions. Each module registers its response parsers and offers command extensions."""

from bureau.epp.extensions import bdn, changepoll, fee, loginsec, rgp, secdns

__all__ = ["bdn", "changepoll", "fee", "loginsec", "rgp", "secdns"]
