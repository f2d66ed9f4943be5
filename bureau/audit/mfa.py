"""allauth's second factors, Bureau's way: TOTP secrets and recovery-code seeds encrypted at
rest with the field keys (``bureau.core.fields``; allauth keeps them in
``Authenticator.data``), and the last second factor of a person whose organisation requires
one cannot be turned off."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from bureau.core import fields
from bureau.registrar.accounts.policy import requires_2fa


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Your organisation requires two-factor authentication: add another method (a "
            "passkey) before turning this one off."),
    }

    def encrypt(self, text: str) -> str:
        return fields.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        # Every stored secret is encrypted (the migration audit.0004 encrypted older rows).
        return fields.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        others = Authenticator.objects.filter(user_id=authenticator.user_id).exclude(
            pk=authenticator.pk).exclude(type=Authenticator.Type.RECOVERY_CODES)
        return others.exists() or not requires_2fa(authenticator.user)
