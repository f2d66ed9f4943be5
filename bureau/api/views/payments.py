"""Payments for the cooperative's staff: import a bank statement (the same operation as the
portal's page and `bureau payments import`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bureau.core.uploads import body_limit
from bureau.payments import conf
from bureau.payments.operations import statements
from bureau.payments.operations.errors import BadStatement
from bureau.payments.problems import describe

from ..problems import problem
from .common import PROBLEM_RESPONSES


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="camt.053/camt.054 XML, MT940 or CSV statement")


class StatementImportView(APIView):
    parser_classes = [MultiPartParser]
    scopes = {"POST": "payments:import"}

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # A month's statement is larger than other requests may be: its own limit.
        view = super().as_view(**initkwargs)
        return body_limit(conf.statement_max_bytes, conf.statement_advice)(view)

    @extend_schema(
        summary="Import a bank statement (staff)", request=StatementUploadSerializer,
        responses={201: inline_serializer("StatementImportResult", {
            "id": serializers.IntegerField(), "format": serializers.CharField(),
            "lines": serializers.IntegerField(), "credited": serializers.IntegerField(),
            "waiting": serializers.IntegerField(), "debits": serializers.IntegerField(),
            "already_imported": serializers.IntegerField(),
            "summary": serializers.CharField()}), **PROBLEM_RESPONSES})
    def post(self, request: Request) -> Response:
        upload = StatementUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            report = statements.import_statement(file, filename=file.name, by=request.user)
        except BadStatement as exc:
            # Every bad line, as a field error each: nothing was imported.
            return problem(request, status_code=422, slug="bad-statement",
                           title="Statement not imported", detail=exc.message,
                           errors=[{"field": f"line {p.line}" if p.line else "file",
                                    "detail": describe(p, with_line=False)}
                                   for p in exc.problems])
        done = report.statement
        return Response({"id": done.pk, "format": done.format, "lines": done.lines,
                         "credited": done.credited, "waiting": done.waiting,
                         "debits": done.debits, "already_imported": done.known,
                         "summary": report.summary()}, status=status.HTTP_201_CREATED)
