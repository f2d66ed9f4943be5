from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bureau.api.serializers import read_only_slug
from bureau.core.validators import MAX_CENTS, MAX_ID, printable_text
from bureau.notices.goodbye import CHECKLIST
from bureau.notices.models import GoodbyeMode
from bureau.registrar.billing.models import Order
from bureau.registrar.domains.models import BundledName, Domain, DomainEvent, DSRecord
from bureau.registrar.domains.names import to_u_label

MAX_NAMESERVERS = 13


def contact_id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def price_in_cents(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_CENTS, required=False,
                                    allow_null=True, **kwargs)


class LocksSerializer(serializers.Serializer[dict[str, bool]]):
    transfer = serializers.BooleanField(required=False)
    update = serializers.BooleanField(required=False)  # type: ignore[assignment]
    delete = serializers.BooleanField(required=False)
    renew = serializers.BooleanField(required=False)


PREFETCHED = "prefetched_"


class PrefetchedList(serializers.ListSerializer[Any]):
    """A list of related rows that reads the rows prefetched with the parent as they are: a
    ``Prefetch(source, to_attr="prefetched_<source>")`` list (the domain list's), else the
    prefetch cache, else the related manager. The manager would give a fresh queryset per
    parent row (a clone and a filter per row: the list's second CPU cost per row)."""

    def get_attribute(self, instance: Any) -> Any:
        listed = getattr(instance, PREFETCHED + str(self.source), None)
        if listed is not None:
            return listed
        prefetched = getattr(instance, "_prefetched_objects_cache", {}).get(self.source)
        if prefetched is not None:
            return list(prefetched)
        return super().get_attribute(instance)


class DSRecordSerializer(serializers.ModelSerializer[DSRecord]):
    key_tag = serializers.IntegerField(min_value=0, max_value=65535)
    algorithm = serializers.IntegerField(min_value=0, max_value=255)
    digest_type = serializers.IntegerField(min_value=0, max_value=255)
    digest = serializers.RegexField(r"^[0-9A-Fa-f]{2,128}$", max_length=128)

    class Meta:
        model = DSRecord
        fields = ["key_tag", "algorithm", "digest_type", "digest"]
        list_serializer_class = PrefetchedList


class BundledNameSerializer(serializers.ModelSerializer[BundledName]):
    class Meta:
        model = BundledName
        fields = ["name", "u_label"]
        list_serializer_class = PrefetchedList


class ULabelField(serializers.CharField):
    """The name as people read it (the domain's ``u_label``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="name", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return to_u_label(str(value))


class DomainSerializer(serializers.ModelSerializer[Domain]):
    u_label = ULabelField()
    organisation = read_only_slug()
    tld = read_only_slug("name")
    locks = serializers.SerializerMethodField()
    ds_records = DSRecordSerializer(many=True, read_only=True)
    bundled_names = BundledNameSerializer(many=True, read_only=True)
    nameservers = serializers.ListField(child=serializers.CharField(), read_only=True)
    statuses = serializers.ListField(child=serializers.CharField(), read_only=True)
    status_reasons = serializers.SerializerMethodField(
        help_text="The free text the registry gave with some statuses: status -> "
                  "{text, lang}.")

    class Meta:
        model = Domain
        fields = ["name", "u_label", "organisation", "tld", "state", "statuses",
                  "status_reasons", "nameservers", "registered_at", "expires_at", "updated_at",
                  "deleted_at",
                  "registrant", "admin_contact", "tech_contact", "billing_contact", "locks",
                  "transfer_locked_until", "ds_records", "bundled_names"]
        read_only_fields = fields

    @extend_schema_field(LocksSerializer)
    def get_status_reasons(self, domain: Domain) -> dict[str, dict[str, str]]:
        return {s.value: {"text": s.reason, "lang": s.lang}
                for s in domain.statuses_shown if s.reason}

    def get_locks(self, domain: Domain) -> dict[str, bool]:
        return {"transfer": domain.transfer_prohibited, "update": domain.update_prohibited,
                "delete": domain.delete_prohibited, "renew": domain.renew_prohibited}


class OrderSerializer(serializers.ModelSerializer[Order]):
    organisation = read_only_slug()

    class Meta:
        model = Order
        fields = ["id", "organisation", "operation", "domain_name", "period", "amount",
                  "currency", "state", "message", "created_at", "finished_at"]
        read_only_fields = fields


class DomainResultSerializer(serializers.Serializer[Any]):
    """What an operation on a domain returns: the domain as stored, and the order if any."""

    domain = DomainSerializer()
    order = OrderSerializer(allow_null=True)
    notice = serializers.CharField(
        required=False, allow_blank=True,
        help_text="What else the change did, e.g. Bureau's DS removed with its name servers.")


class RegistrationResultSerializer(DomainResultSerializer):
    """A registration: 201 when done; 202 when the registry reviews the name first (the
    domain stays `pending-create`, the order `pending` with its price reserved)."""

    message = serializers.CharField(
        read_only=True, help_text="For the person: why the name is not registered yet "
                                  "(empty when it is).")


class DomainEventSerializer(serializers.ModelSerializer[DomainEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = DomainEvent
        fields = ["id", "at", "operation", "outcome", "actor", "cl_trid", "sv_trid",
                  "result_code", "message", "detail"]
        read_only_fields = fields

    def get_actor(self, event: DomainEvent) -> str:
        if event.actor is not None:
            label = f" ({event.actor_label})" if event.actor_label else ""
            return f"{event.actor.get_username()}{label}"
        return str(event.actor_label)


def nameserver_list() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=253),
                                 max_length=MAX_NAMESERVERS, required=False,
                                 help_text="Host names (U-labels or A-labels)")


class RegisterSerializer(serializers.Serializer[Any]):
    organisation = serializers.SlugField(required=False, help_text="Short name of the "
                                         "organisation; defaults to the token's.")
    name = serializers.CharField(max_length=253, help_text="U-label or A-label")
    period = serializers.IntegerField(min_value=1, max_value=10, default=1)
    registrant = contact_id(help_text="Contact id of the holder")
    admin_contact = contact_id(required=False, allow_null=True)
    tech_contact = contact_id(required=False, allow_null=True)
    billing_contact = contact_id(required=False, allow_null=True)
    nameservers = nameserver_list()
    dns = serializers.ChoiceField(
        choices=["bureau", "own", "later"], required=False,
        help_text="`bureau` (default without `nameservers`): Bureau's name servers, the zone "
                  "created and signed, its DS sent; `own`: the `nameservers` given, checked "
                  "(at least two, each resolving); `later`: none. `nameservers` without "
                  "`dns` are set as given, unchecked.")
    accepted_price = price_in_cents(
        help_text="The price (cents) the person accepted; refused with 409 if it changed.")


class RenewSerializer(serializers.Serializer[Any]):
    period = serializers.IntegerField(min_value=1, max_value=10, default=1)
    accepted_price = price_in_cents()


class GoodbyeSerializer(serializers.Serializer[Any]):
    """The informed decision before giving a name up (the portal's goodbye page)."""

    mode = serializers.ChoiceField(
        choices=GoodbyeMode.choices,
        help_text="`delete`: delete the name now; `let-expire`: let it expire at the end of "
                  "its term (reminders stop).")
    checklist = serializers.ListField(
        child=serializers.ChoiceField(choices=[item.key for item in CHECKLIST]),
        help_text="The checklist points the person went through, all required: `mail` (no "
                  "mail uses the name), `accounts` (no account recovers by it), `partners` "
                  "(told), `links` (own links removed), `risk` (anyone may register it "
                  "afterwards), `keep` (keeping it parked considered). Their full text is on "
                  "the portal's goodbye page.")
    typed_name = serializers.CharField(
        max_length=253, help_text="The name typed by the person (U-label or A-label), "
                                  "as explicit confirmation.")


class RestoreSerializer(serializers.Serializer[Any]):
    accepted_price = price_in_cents()


class TransferInSerializer(serializers.Serializer[Any]):
    organisation = serializers.SlugField(required=False)
    name = serializers.CharField(max_length=253)
    auth_code = serializers.CharField(max_length=255, trim_whitespace=False,
                                      validators=[printable_text])
    accepted_price = price_in_cents()
    holder = contact_id(required=False, allow_null=True,
                        help_text="the holder's contact, used if the current registrar "
                                  "withholds the holder's details")


class DomainUpdateSerializer(serializers.Serializer[Any]):
    """Only the fields given change."""

    nameservers = nameserver_list()
    admin_contact = contact_id(required=False)
    tech_contact = contact_id(required=False)
    billing_contact = contact_id(required=False)
    locks = LocksSerializer(required=False)
    ds_records = DSRecordSerializer(many=True, required=False)


class HolderChangeSerializer(serializers.Serializer[Any]):
    registrant = contact_id(help_text="Contact id of the new holder")
    old_holder_consent = serializers.BooleanField(
        default=False, help_text="not asked when the name has no holder yet (withheld at its "
                                 "transfer in)")
    new_holder_consent = serializers.BooleanField(default=False)
    opt_out_of_transfer_lock = serializers.BooleanField(default=False)


class AuthCodeSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    auth_code = serializers.CharField()


class QuoteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="A-label")
    u_label = serializers.CharField()
    tld = serializers.CharField()
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    price = serializers.IntegerField(help_text="cents, for the period")
    currency = serializers.CharField()
    period = serializers.IntegerField()
    operation = serializers.CharField()
    premium = serializers.BooleanField()
    bundled = serializers.BooleanField(
        help_text="The TLD's registry bundles variants of this name with it (RFC 9095): "
                  "registering it also reserves them.")
    bundled_names = BundledNameSerializer(
        many=True, help_text="The variants the registry listed with this name (registered "
                             "with it, sharing its holder, contacts and expiry)")


class SearchResultSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    results = QuoteSerializer(many=True)
