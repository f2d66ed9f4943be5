"""Availability and price of a name in every TLD Bureau sells (one check per registry)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bureau.registrar.domains.names import map_input, split_tld, to_u_label
from bureau.registrar.operations import check
from bureau.registrar.registries.models import Tld

from ..serializers.domains import SearchResultSerializer
from ..throttling import CheckThrottle
from .common import problem_responses


class SearchQuery(serializers.Serializer[dict[str, object]]):
    q = serializers.CharField(max_length=253, help_text="A label (“atelier”) or a full name "
                              "(“atelier.coop”), in Unicode or ASCII")
    period = serializers.IntegerField(min_value=1, max_value=10, default=1)


def candidates(query: str, sold: list[str]) -> list[str]:
    """The name asked for first (when its TLD is sold), then its label in every other TLD."""
    query = map_input(query).rstrip(".")  # 中國。测试 is 中國.测试
    label, tld = split_tld(query) if "." in query else (query, "")
    if tld and tld not in sold:
        # Perhaps a Unicode TLD: compare A-labels.
        tld_a = tld.encode("idna").decode("ascii") if not tld.isascii() else tld
        tld = tld_a if tld_a in sold else ""
        if not tld:
            label = query.rpartition(".")[0] if "." in query else query
    if not label or "." in label:
        raise ValidationError({"q": ["Write one label (“atelier”) or a name with its "
                                     "extension (“atelier.coop”)."]})
    ordered = ([tld] if tld else []) + [t for t in sold if t != tld]
    return [f"{label}.{t}" for t in ordered]


class SearchView(APIView):
    scopes = {"GET": "domains:read"}
    throttle_classes = [CheckThrottle]

    @extend_schema(
        summary="Search: availability and price in every TLD sold",
        parameters=[SearchQuery],
        responses={200: SearchResultSerializer, **problem_responses(400, 422, 429, 503)})
    def get(self, request: Request) -> Response:
        params = SearchQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        tlds = {t.name: t for t in Tld.objects.select_related("registry")
                .filter(is_active=True).order_by("name")}
        names = candidates(str(params.validated_data["q"]), list(tlds))
        quotes = check.check(names, period=int(params.validated_data["period"]), sold=tlds) \
            if names else []
        results = [{
            "name": q.name, "u_label": q.u_label, "tld": split_tld(q.name)[1],
            "available": q.available, "reason": q.reason, "price": q.price,
            "currency": q.currency, "period": q.period, "operation": q.operation,
            "premium": q.premium, "bundled": tlds[split_tld(q.name)[1]].bundles,
            "bundled_names": [{"name": n, "u_label": to_u_label(n)} for n in q.bundled],
        } for q in quotes]
        return Response(SearchResultSerializer({"query": params.validated_data["q"],
                                                "results": results}).data)


