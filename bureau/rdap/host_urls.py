"""The URL configuration of the RDAP host: RDAP at the root, nothing else."""

from django.urls import include, path

urlpatterns = [path("", include("bureau.rdap.urls"))]
