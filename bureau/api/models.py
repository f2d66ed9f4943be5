"""Personal API tokens: a person acting for one organisation, with scopes and an expiry.

Only a SHA-256 of the token is stored; the token itself is shown once, at creation. Its
first characters (``prefix``) are stored in clear so that people can tell tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.dns.models import Zone
from bureau.registrar.accounts.models import Organisation


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("person"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="api_tokens", verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=24, unique=True)
    secret_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    # A certificate token (scope "dns:challenge"): it may only write the TXT records of this
    # `_acme-challenge.<name>.` owner, in this zone (ACME DNS-01 through the RRset API).
    challenge_zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="challenge_tokens",
                                       verbose_name=_("challenge zone"))
    challenge = models.CharField(_("only the TXT records of"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()

    def grants(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def challenge_path(self) -> str:
        """Where a certificate token writes its challenge: its RRset in the RRset API."""
        return (f"/api/v1/dns/zones/{str(self.challenge_zone.name).rstrip('.')}"
                f"/rrsets/{self.challenge}/TXT/") if self.challenge_zone else ""

    def may_write_challenge(self, zone: Zone, owner: str, rtype: str) -> bool:
        """A certificate token's only use: the TXT records of its challenge name."""
        return (bool(self.challenge) and self.challenge_zone_id == zone.pk
                and owner == self.challenge and rtype.upper() == "TXT")
