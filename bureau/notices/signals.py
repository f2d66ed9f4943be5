"""The registrar's core knows nothing of notices, the hooks live here: every contact's
address is verified on creation and on each change of address, the member hears the
registry's decision on a name it reviewed, and the holder hears of each registration, renewal,
transfer and deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import domain_changed
from bureau.registrar.operations.register import review_decided

from .changes import notify_change
from .contacts import start_verification
from .events import notify_event
from .goodbye import deleted_on_request
from .models import Goodbye
from .review import notify_review_decided

review_decided.connect(notify_review_decided, dispatch_uid="bureau.notices.review")
domain_changed.connect(notify_change, dispatch_uid="bureau.notices.changes")


@receiver(deleted_on_request, dispatch_uid="bureau.notices.goodbye-deleted")
def confirm_deletion(sender: type[Goodbye], domain: Domain, now: datetime,
                     **kwargs: Any) -> None:
    notify_event(domain, "goodbye-deleted", now)


@receiver(pre_save, sender=Contact)
def remember_email(sender: type[Contact], instance: Contact, **kwargs: Any) -> None:
    old = Contact.objects.filter(pk=instance.pk).values_list("email", flat=True).first() \
        if instance.pk else None
    instance._notices_email_changed = old is None or old != instance.email  # type: ignore[attr-defined]
    if old is not None and old != instance.email:
        instance.verified_at = None


@receiver(post_save, sender=Contact)
def verify_new_address(sender: type[Contact], instance: Contact, created: bool,
                       raw: bool = False, **kwargs: Any) -> None:
    if raw or not getattr(instance, "_notices_email_changed", created):
        return

    contact_id = instance.pk

    def send() -> None:
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is not None:
            start_verification(contact)

    transaction.on_commit(send)
