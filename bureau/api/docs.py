"""The browsable documentation: Swagger UI and Redoc, served from Bureau itself (assets from
the drf-spectacular-sidecar package, no CDN, no web fonts), under a Content-Security-Policy
that allows no inline script (Swagger UI's start-up script is a separate request)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

# Both viewers style themselves inline and Redoc runs a blob: worker; nothing comes from
# elsewhere and no inline script runs.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self'; worker-src 'self' blob:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


class SwaggerView(SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response
