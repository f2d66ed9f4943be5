"""REST endpoints of DNS hosting, mounted at /api/v1/dns/ (bureau.api.dns_urls), following
bureau.api's conventions: DRF viewsets, scopes per action (domains:read / domains:write),
querysets starting from the caller's organisations, RFC 9457 problem details. Views only
translate: every change goes through bureau.dns.operations.

Refused records answer 422 with `errors`: one entry per problem, `field` as
"records.<index>.<field>" (or "line.<n>.<field>" for zone files), `detail` saying what to fix.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.audit.operations import tokens
from bureau.core.validators import MAX_ID
from bureau.dns.models import (
    AcmeCredential,
    HealthCheck,
    Record,
    Template,
    TemplateApplication,
    Zone,
    ZoneChange,
)
from bureau.dns.names import InvalidName, zone_name
from bureau.dns.operations import (
    credentials,
    dnssec,
    health,
    history,
    records,
    templates,
    zonefiles,
    zones,
)
from bureau.dns.operations import rrsets as rrset_ops
from bureau.dns.operations.common import Outcome
from bureau.dns.operations.errors import ControlNotProven, RecordsInvalid
from bureau.dns.operations.rrsets import RRSet
from bureau.dns.records import DEFAULT_TTL, MAX_TTL, MIN_TTL
from bureau.dns.records import Record as RawRecord
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.domains.models import Domain, DomainState

from .. import access
from ..problems import problem

MAX_BATCH = 10_000


class RecordSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="rtype")

    class Meta:
        model = Record
        fields = ["id", "name", "type", "content", "ttl", "application"]


class RecordInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, allow_blank=True, trim_whitespace=False,
                                 help_text="owner: @, www, www.example.org. or a U-label name")
    type = serializers.CharField(max_length=10)
    content = serializers.CharField(max_length=65_535, trim_whitespace=False)
    ttl = serializers.IntegerField(required=False, default=DEFAULT_TTL, min_value=MIN_TTL,
                                   max_value=MAX_TTL)


class BatchSerializer(serializers.Serializer):
    add = RecordInputSerializer(many=True, required=False, default=list)
    remove = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                   required=False,
                                   default=list, max_length=MAX_BATCH)
    summary = serializers.CharField(max_length=200, required=False, default="")

    def validate_add(self, value: list[Any]) -> list[Any]:
        if len(value) > MAX_BATCH:
            raise serializers.ValidationError(f"at most {MAX_BATCH} records per batch")
        return value


class RRSetBodySerializer(serializers.Serializer):
    ttl = serializers.IntegerField(required=False, default=DEFAULT_TTL, min_value=MIN_TTL,
                                   max_value=MAX_TTL, help_text="TTL of the set")
    records = serializers.ListField(
        child=serializers.CharField(max_length=65_535, trim_whitespace=False),
        max_length=MAX_BATCH, help_text="the contents, as in a zone file; empty removes the set")


class RRSetSerializer(RRSetBodySerializer):
    name = serializers.CharField(max_length=255, allow_blank=True, trim_whitespace=False,
                                 help_text="owner: @, www, or an absolute name")
    type = serializers.CharField(max_length=10)


class KeySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="powerdns_id")
    algorithm = serializers.CharField()
    state = serializers.CharField()
    ds = serializers.ListField(child=serializers.CharField())


class HealthSerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthCheck
        fields = ["checked_at", "ok", "problems", "secondaries"]


class ZoneSerializer(serializers.ModelSerializer):
    organisation: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    domain: Any = serializers.SlugRelatedField(slug_field="name", read_only=True,
                                               allow_null=True)
    u_label = serializers.CharField(read_only=True)
    dnssec_turning_off = serializers.SerializerMethodField(
        help_text="DNSSEC is being turned off: the DS leaves the parent, then the keys go")
    keys = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()

    class Meta:
        model = Zone
        fields = ["name", "u_label", "organisation", "domain", "nameservers", "dnssec", "nsec3",
                  "algorithm", "dnssec_turning_off", "publish_state", "serial", "ds_state",
                  "ds_wanted", "keys", "health",
                  "created_at", "updated_at"]

    def get_dnssec_turning_off(self, zone: Zone) -> bool:
        return zone.unsigning_ds_seen_at is not None

    @extend_schema_field(KeySerializer(many=True))
    def get_keys(self, zone: Zone) -> list[dict[str, Any]]:
        return list(KeySerializer(zone.keys.exclude(state="removed"), many=True).data)

    @extend_schema_field(HealthSerializer(allow_null=True))
    def get_health(self, zone: Zone) -> dict[str, Any] | None:
        check = zone.health_checks.first()
        return None if check is None else dict(HealthSerializer(check).data)


class ZoneCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    organisation = serializers.CharField(required=False, allow_blank=True)
    dnssec = serializers.BooleanField(required=False, default=True)
    nsec3 = serializers.BooleanField(
        required=False, default=False,
        help_text="deny with NSEC3 (RFC 9276: no opt-out, no extra iterations, no salt) "
                  "instead of NSEC")
    algorithm = serializers.ChoiceField(
        choices=[13, 15], required=False, default=13,
        help_text="13 (ECDSA P-256 with SHA-256, recommended) or 15 (Ed25519)")


class ChangeSerializer(serializers.ModelSerializer):
    actor: Any = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)
    undoes: Any = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    serial = serializers.IntegerField(source="published_serial", read_only=True,
                                      allow_null=True, help_text="The serial it was served "
                                      "with; null until PowerDNS confirmed it.")
    published = serializers.BooleanField(source="is_published", read_only=True)

    class Meta:
        model = ZoneChange
        fields = ["id", "at", "kind", "summary", "actor", "actor_label", "added", "removed",
                  "undoes", "serial", "published"]


class ImportSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20_000_000, trim_whitespace=False)
    replace = serializers.BooleanField(required=False, default=True)


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Template
        fields = ["slug", "name", "kind", "description", "parameters", "records"]


class ApplySerializer(serializers.Serializer):
    template = serializers.CharField(max_length=60, help_text="the template's short name")
    values = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                   required=False, default=dict)

    def validate_template(self, value: str) -> Template:
        template = Template.objects.filter(slug=value).first()
        if template is None:
            raise serializers.ValidationError(f"no template {value!r}: see /api/v1/dns/templates/")
        return template


class ApplicationSerializer(serializers.ModelSerializer):
    template: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = TemplateApplication
        fields = ["id", "template", "values", "applied_at", "removed_at"]


class ExternalDnssecSerializer(serializers.Serializer):
    ds = serializers.ListField(child=serializers.CharField(max_length=1000), required=False,
                               default=list, max_length=20)
    dnskeys = serializers.ListField(child=serializers.CharField(max_length=4000),
                                    required=False, default=list, max_length=20)


class OutcomeSerializer(serializers.Serializer):
    published = serializers.BooleanField(help_text="false: stored, PowerDNS did not confirm; "
                                         "the reconciliation job publishes it")
    serial = serializers.IntegerField()
    change = serializers.IntegerField(allow_null=True)
    added = RecordSerializer(many=True)


class ImportResultSerializer(OutcomeSerializer):
    skipped = serializers.ListField(child=serializers.CharField())


class ApplyResultSerializer(OutcomeSerializer):
    application = ApplicationSerializer()


class RolloverSerializer(serializers.Serializer):
    step = serializers.CharField()
    step_at = serializers.DateTimeField()


class ExternalDnssecResultSerializer(serializers.Serializer):
    ds = serializers.ListField(child=serializers.CharField())


class AcmeCredentialSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcmeCredential
        fields = ["id", "name", "key_name", "created_at", "expires_at", "revoked_at"]


class AcmeCredentialCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255,
                                 help_text="the name to certify (and its wildcard): www, @, "
                                           "*.shop or an absolute name in the zone")
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class IssuedCredentialSerializer(AcmeCredentialSerializer):
    secret = serializers.CharField(help_text="the TSIG secret (base64), shown only now")
    algorithm = serializers.CharField()
    server = serializers.CharField()
    port = serializers.IntegerField()
    certbot_ini = serializers.CharField(help_text="certbot --dns-rfc2136-credentials file")
    lego_env = serializers.CharField(help_text="environment of lego --dns rfc2136")

    class Meta(AcmeCredentialSerializer.Meta):
        fields = [*AcmeCredentialSerializer.Meta.fields, "secret", "algorithm", "server",
                  "port", "certbot_ini", "lego_env"]


class ChallengeTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text="the API token itself, shown only now")
    challenge = serializers.CharField(help_text="the only owner it may write (TXT)")
    url = serializers.CharField(help_text="PUT {\"ttl\", \"records\"} here, DELETE when done")
    expires_at = serializers.DateTimeField()


def outcome_body(outcome: Outcome) -> dict[str, Any]:
    return {"published": outcome.published, "serial": outcome.serial,
            "change": outcome.change.pk if outcome.change else None,
            "added": RecordSerializer(outcome.added, many=True).data}


def rrset_body(rrset: rrset_ops.StoredRRSet) -> dict[str, Any]:
    return {"name": rrset.name, "type": rrset.rtype, "ttl": rrset.ttl,
            "records": rrset.records}


def records_problem(request: Request, exc: RecordsInvalid, prefix: str) -> Response:
    errors = []
    for p in exc.problems:
        line = p.record.line if p.record is not None else None
        where = prefix if line is None else f"{prefix}.{line}"
        errors.append({"field": f"{where}.{p.field}", "detail": str(p)})
    return problem(request, status_code=422, slug="records-invalid",
                   title="Records refused: nothing was stored or published",
                   detail=exc.message, errors=errors)


class ZoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                  viewsets.GenericViewSet):
    """Hosted zones of your organisations, their records, history, templates and health."""

    serializer_class = ZoneSerializer
    queryset = Zone.objects.none()
    lookup_field = "name"
    lookup_value_regex = r"[^/]+"
    scopes = {
        "list": "domains:read", "retrieve": "domains:read", "history": "domains:read",
        "export": "domains:read", "health": "domains:read", "records": "domains:read",
        "create": "domains:write", "batch": "domains:write", "import_file": "domains:write",
        "undo": "domains:write", "apply_template": "domains:write",
        "remove_template": "domains:write", "rollover": "domains:write",
        "dnssec_off": "domains:write",
        "check_health": "domains:write", "destroy": "domains:write",
        "acme_credentials": "domains:read", "create_acme_credential": "domains:write",
        "revoke_acme_credential": "domains:write", "create_acme_token": "domains:write",
        "rrsets:GET": "domains:read", "rrsets:PATCH": "domains:write",
        "rrset:GET": "domains:read", "rrset:PUT": "domains:write",
        "rrset:DELETE": "domains:write",
    }
    # A certificate token (scope dns:challenge) may use these, for its challenge name only.
    challenge_actions = ("rrset",)

    def get_queryset(self) -> QuerySet[Zone]:
        return Zone.objects.filter(
            organisation__in=access.visible_organisations(self.request)
        ).select_related("organisation", "domain")

    def get_object(self) -> Zone:
        try:
            name = zone_name(self.kwargs["name"]).to_text().lower()
        except InvalidName as exc:
            raise NotFound() from exc
        zones_ = self.get_queryset().filter(name=name)
        zone = zones_.exclude(publish_state="withdrawn").first() or zones_.first()
        if zone is None:
            raise NotFound()
        return zone

    @extend_schema(summary="Host a zone (standalone; registered names get theirs by themselves)",
                   request=ZoneCreateSerializer, responses={201: ZoneSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(ZoneCreateSerializer, request)
        organisation = access.organisation_for_create(request, data.get("organisation"))
        try:
            zone = zones.create_zone(organisation=organisation, actor=access.actor(request),
                                     name=data["name"], dnssec=data["dnssec"],
                                     nsec3=data["nsec3"], algorithm=data["algorithm"])
        except ControlNotProven as exc:
            # The record to publish, for scripts: {"name", "type", "value"}.
            return problem(request, status_code=422, slug="control-not-proven",
                           title="Control of the name not proven", detail=exc.message,
                           errors=[{"field": "name", "detail": exc.message}],
                           challenge={"name": exc.owner, "type": "TXT", "value": exc.token})
        return Response(ZoneSerializer(zone).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Stop hosting the zone (its history is kept)", request=None,
                   responses={204: None})
    def destroy(self, request: Request, name: str) -> Response:
        zones.stop_hosting(zone=self.get_object(), actor=access.actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Records of the zone", responses={200: RecordSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def records(self, request: Request, name: str) -> Response:
        page = self.paginate_queryset(self.get_object().records.all())
        return self.get_paginated_response(RecordSerializer(page, many=True).data)

    @extend_schema(summary="Change records in one batch (one PATCH to the DNS engine)",
                   request=BatchSerializer, responses={200: OutcomeSerializer})
    @action(detail=True, methods=["post"], url_path="records/batch")
    def batch(self, request: Request, name: str) -> Response:
        zone = self.get_object()
        data = _valid(BatchSerializer, request)
        add = [RawRecord(r["name"], r["type"], r["content"], r["ttl"], line=i)
               for i, r in enumerate(data["add"])]
        rows = list(zone.records.filter(pk__in=data["remove"]))
        missing = set(data["remove"]) - {r.pk for r in rows}
        if missing:
            return problem(request, status_code=422, slug="records-invalid",
                           title="Records refused: nothing was stored or published",
                           detail=f"no record {sorted(missing)} in {zone.name}",
                           errors=[{"field": "remove", "detail": f"unknown ids {sorted(missing)}"}])
        try:
            outcome = records.edit_records(zone=zone, actor=access.actor(request), add=add,
                                           remove=rows, summary=data["summary"])
        except RecordsInvalid as exc:
            return records_problem(request, exc, "add")
        return Response(outcome_body(outcome))

    @extend_schema(methods=["GET"], summary="RRsets of the zone (name + type → records)",
                   responses={200: RRSetSerializer(many=True)})
    @extend_schema(methods=["PATCH"], summary="Replace several RRsets at once (all or "
                   "nothing, one change; an empty `records` removes the set)",
                   request=RRSetSerializer(many=True), responses={200: OutcomeSerializer})
    @action(detail=True, methods=["get", "patch"], url_path="rrsets")
    def rrsets(self, request: Request, name: str) -> Response:
        zone = self.get_object()
        if request.method == "PATCH":
            serializer = RRSetSerializer(data=request.data, many=True)
            serializer.is_valid(raise_exception=True)
            given = [RRSet(d["name"], d["type"], d["ttl"], d["records"])
                     for d in serializer.validated_data]
            if len(given) > MAX_BATCH:
                raise serializers.ValidationError(f"at most {MAX_BATCH} RRsets per request")
            try:
                outcome = rrset_ops.set_rrsets(zone=zone, actor=access.actor(request),
                                               rrsets=given)
            except RecordsInvalid as exc:
                return records_problem(request, exc, "rrsets")
            return Response(outcome_body(outcome))
        page = self.paginate_queryset(rrset_ops.list_rrsets(zone)) or []
        return self.get_paginated_response([rrset_body(s) for s in page])

    @extend_schema(summary="One RRset (name + type): read, replace (PUT) or remove (DELETE)",
                   request=RRSetBodySerializer, responses={200: RRSetSerializer,
                                                           204: None})
    @action(detail=True, methods=["get", "put", "delete"],
            url_path=r"rrsets/(?P<owner>[^/]+)/(?P<rtype>[A-Za-z0-9]+)")
    def rrset(self, request: Request, name: str, owner: str, rtype: str) -> Response:
        zone = self.get_object()
        token = access.token_of(request)
        if token is not None and token.challenge:
            try:
                absolute = rrset_ops.absolute_owner(zone, owner, 0)
            except RecordsInvalid:
                absolute = ""
            if not token.may_write_challenge(zone, absolute, rtype):
                raise PermissionDenied(f"This token may only change the TXT records of "
                                       f"{token.challenge}.")
        if request.method in ("PUT", "DELETE"):
            data: dict[str, Any] = _valid(RRSetBodySerializer, request) \
                if request.method == "PUT" else {"ttl": DEFAULT_TTL, "records": []}
            try:
                rrset_ops.set_rrsets(zone=zone, actor=access.actor(request), rrsets=[
                    RRSet(owner, rtype, data["ttl"], data["records"])])
            except RecordsInvalid as exc:
                return records_problem(request, exc, "records")
            if request.method == "DELETE":
                return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            absolute = rrset_ops.absolute_owner(zone, owner, 0)
        except RecordsInvalid:
            raise NotFound() from None
        found = [s for s in rrset_ops.list_rrsets(zone)
                 if s.name == absolute and s.rtype == rtype.upper()]
        if not found:
            raise NotFound()
        return Response(rrset_body(found[0]))

    @extend_schema(summary="Import a zone file (all problems reported with line numbers)",
                   request=ImportSerializer, responses={200: ImportResultSerializer})
    @action(detail=True, methods=["post"], url_path="import")
    def import_file(self, request: Request, name: str) -> Response:
        zone = self.get_object()
        data = _valid(ImportSerializer, request)
        try:
            imported = zonefiles.import_zone_file(zone=zone, actor=access.actor(request),
                                                  text=data["text"], replace=data["replace"])
        except RecordsInvalid as exc:
            return records_problem(request, exc, "line")
        body = outcome_body(imported.outcome)
        body["skipped"] = [r.label() for r in imported.skipped]
        return Response(body)

    @extend_schema(summary="The zone as a zone file",
                   responses={(200, "text/dns"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, name: str) -> HttpResponse:
        zone = self.get_object()
        return HttpResponse(zonefiles.export_zone(zone), content_type="text/dns; charset=utf-8")

    @extend_schema(summary="History of the zone", responses={200: ChangeSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, name: str) -> Response:
        changes = self.get_object().changes.order_by("-at", "-id")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(ChangeSerializer(page, many=True).data)

    @extend_schema(summary="Undo a change (a new change restoring what it replaced)",
                   request=None, responses={200: OutcomeSerializer})
    @action(detail=True, methods=["post"], url_path=r"history/(?P<change_id>\d+)/undo")
    def undo(self, request: Request, name: str, change_id: str) -> Response:
        zone = self.get_object()
        change = zone.changes.filter(pk=int(change_id)).first()
        if change is None:
            raise NotFound()
        try:
            outcome = history.undo(change=change, actor=access.actor(request))
        except RecordsInvalid as exc:
            return records_problem(request, exc, "records")
        return Response(outcome_body(outcome))

    @extend_schema(summary="Apply a template", request=ApplySerializer,
                   responses={201: ApplyResultSerializer})
    @action(detail=True, methods=["post"], url_path="templates")
    def apply_template(self, request: Request, name: str) -> Response:
        zone = self.get_object()
        data = _valid(ApplySerializer, request)
        try:
            application, outcome = templates.apply_template(
                zone=zone, actor=access.actor(request), template=data["template"],
                values=data["values"])
        except RecordsInvalid as exc:
            return records_problem(request, exc, "template")
        return Response({"application": ApplicationSerializer(application).data,
                         **outcome_body(outcome)}, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove an applied template (its records, only those)", request=None,
                   responses={200: OutcomeSerializer})
    @action(detail=True, methods=["delete"], url_path=r"templates/(?P<application_id>\d+)")
    def remove_template(self, request: Request, name: str, application_id: str) -> Response:
        zone = self.get_object()
        application = zone.applications.filter(pk=int(application_id)).first()
        if application is None:
            raise NotFound()
        return Response(outcome_body(templates.remove_template(
            application=application, actor=access.actor(request))))

    @extend_schema(summary="Latest health check", responses={200: HealthSerializer})
    @action(detail=True, methods=["get"])
    def health(self, request: Request, name: str) -> Response:
        check = self.get_object().health_checks.first()
        if check is None:
            raise NotFound("No health check yet: POST to run one.")
        return Response(HealthSerializer(check).data)

    @extend_schema(summary="Run the health checks now", request=None,
                   responses={200: HealthSerializer})
    @health.mapping.post
    def check_health(self, request: Request, name: str) -> Response:
        zone = self.get_object()
        access.require(request, zone.organisation, _manage_dns())
        return Response(HealthSerializer(health.check_zone(zone)).data)

    @extend_schema(summary="Start a key rollover (the new DS reaches the registry first)",
                   request=None, responses={202: RolloverSerializer})
    @action(detail=True, methods=["post"])
    def rollover(self, request: Request, name: str) -> Response:
        rollover = dnssec.start_rollover(zone=self.get_object(), actor=access.actor(request))
        return Response({"step": rollover.step, "step_at": rollover.step_at},
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Turn DNSSEC off: the DS leaves the parent first, the keys after",
                   request=None, responses={202: ZoneSerializer})
    @action(detail=True, methods=["post"], url_path="dnssec-off")
    def dnssec_off(self, request: Request, name: str) -> Response:
        zone = dnssec.disable_dnssec(zone=self.get_object(), actor=access.actor(request))
        return Response(ZoneSerializer(zone).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Active ACME credentials (TSIG keys for DNS-01) of the zone",
                   responses={200: AcmeCredentialSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="acme-credentials")
    def acme_credentials(self, request: Request, name: str) -> Response:
        page = self.paginate_queryset(credentials.credentials_of(self.get_object()))
        return self.get_paginated_response(AcmeCredentialSerializer(page, many=True).data)

    @extend_schema(summary="Create an ACME credential: its secret is in this answer only",
                   request=AcmeCredentialCreateSerializer,
                   responses={201: IssuedCredentialSerializer})
    @acme_credentials.mapping.post
    def create_acme_credential(self, request: Request, name: str) -> Response:
        data = _valid(AcmeCredentialCreateSerializer, request)
        issued = credentials.create_credential(
            zone=self.get_object(), actor=access.actor(request), name=data["name"],
            expires_at=data.get("expires_at"))
        body = {**AcmeCredentialSerializer(issued.credential).data, "secret": issued.secret,
                "algorithm": credentials.ALGORITHM, "server": issued.server,
                "port": issued.port, "certbot_ini": issued.certbot_ini,
                "lego_env": issued.lego_env}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Create a certificate token: an API token that may only write "
                           "the _acme-challenge TXT records of one name (revoke it with "
                           "DELETE /tokens/{id}/)",
                   description="For ACME clients that speak HTTP: PUT the challenge to "
                               "`url`, DELETE it afterwards. Same rules as any token: with a "
                               "recent session only.",
                   request=AcmeCredentialCreateSerializer,
                   responses={201: ChallengeTokenSerializer})
    @action(detail=True, methods=["post"], url_path="acme-tokens")
    def create_acme_token(self, request: Request, name: str) -> Response:
        data = _valid(AcmeCredentialCreateSerializer, request)
        zone = self.get_object()
        new = tokens.create_challenge_token(
            actor=access.actor(request), zone=zone, name=data["name"],
            expires_at=data.get("expires_at"))
        url = request.build_absolute_uri(new.token.challenge_path)
        return Response({"id": new.token.pk, "token": new.secret,
                         "challenge": new.token.challenge, "url": url,
                         "expires_at": new.token.expires_at}, status=status.HTTP_201_CREATED,
                        headers={"Cache-Control": "no-store"})

    @extend_schema(summary="Revoke an ACME credential (refused by the DNS from now on)",
                   request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"acme-credentials/(?P<credential_id>\d+)")
    def revoke_acme_credential(self, request: Request, name: str,
                               credential_id: str) -> Response:
        credential = self.get_object().acme_credentials.filter(
            pk=int(credential_id), revoked_at=None).first()
        if credential is None:
            raise NotFound()
        credentials.revoke_credential(credential=credential, actor=access.actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Templates for common setups."""

    serializer_class = TemplateSerializer
    queryset = Template.objects.all()
    lookup_field = "slug"
    scopes = {"list": "domains:read", "retrieve": "domains:read"}


class ExternalDnssecViewSet(viewsets.GenericViewSet):
    """DS or DNSKEY data for a name registered with Bureau whose DNS is hosted elsewhere."""

    serializer_class = ExternalDnssecSerializer
    queryset = Domain.objects.none()
    lookup_field = "name"
    lookup_value_regex = r"[^/]+"
    scopes = {"update": "domains:write"}

    @extend_schema(summary="Send these DS (or the DS of these DNSKEYs) to the registry; an "
                           "empty body removes DNSSEC at the registry",
                   request=ExternalDnssecSerializer,
                   responses={200: ExternalDnssecResultSerializer})
    def update(self, request: Request, name: str) -> Response:
        domain = Domain.objects.filter(
            organisation__in=access.visible_organisations(request), name=name.lower(),
        ).exclude(state__in=[DomainState.DELETED, DomainState.TRANSFERRED_OUT]).first()
        if domain is None:
            raise NotFound()
        data = _valid(ExternalDnssecSerializer, request)
        try:
            sent = dnssec.set_external_dnssec(domain=domain, actor=access.actor(request),
                                              ds=data["ds"], dnskeys=data["dnskeys"])
        except RecordsInvalid as exc:
            return records_problem(request, exc, "input")
        return Response({"ds": [f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest}"
                                for d in sent]})


def _manage_dns() -> Any:
    return Permission.MANAGE_DNS


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
