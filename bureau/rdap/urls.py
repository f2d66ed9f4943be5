"""RDAP routes, mounted under /rdap/ and, when BUREAU_RDAP_HOST is set, at that host's root."""

from django.urls import re_path

from . import views

app_name = "rdap"

urlpatterns = [
    re_path(r"^health$", views.health, name="health"),
    re_path(r"^help$", views.help_view, name="help"),
    re_path(r"^domain/(?P<name>[^/]+)$", views.domain, name="domain"),
    re_path(r"^entity/(?P<handle>[^/]+)$", views.entity, name="entity"),
    re_path(r"^(?:domains|entities|nameservers|nameserver/.*|ip/.*|autnum/.*)$",
            views.not_offered),
    re_path(r"^.*$", views.bad_query),
]
