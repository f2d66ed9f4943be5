"""Routes of the DNS API, mounted at /api/v1/dns/ by bureau/urls.py."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from .views.dns import ExternalDnssecViewSet, TemplateViewSet, ZoneViewSet

app_name = "dns-api"

router = DefaultRouter(trailing_slash=True)
router.register("zones", ZoneViewSet, basename="zone")
router.register("templates", TemplateViewSet, basename="template")
router.register("external-dnssec", ExternalDnssecViewSet, basename="external-dnssec")

urlpatterns = router.urls
