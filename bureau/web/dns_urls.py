"""Portal routes of DNS hosting, mounted at /dns/ (namespace "dns")."""

from django.urls import path

from .views import dns as views

app_name = "dns"

urlpatterns = [
    path("", views.zone_list, name="zones"),
    path("zones/<int:pk>/", views.zone_detail, name="zone"),
    path("zones/<int:pk>/records/", views.record_add, name="record_add"),
    path("zones/<int:pk>/records/delete/", views.records_delete, name="records_delete"),
    path("zones/<int:pk>/import/", views.zone_import, name="import"),
    path("zones/<int:pk>/export/", views.zone_export, name="export"),
    path("zones/<int:pk>/templates/", views.template_apply, name="template_apply"),
    path("zones/<int:pk>/templates/<int:application>/remove/", views.template_remove,
         name="template_remove"),
    path("zones/<int:pk>/history/<int:change>/undo/", views.change_undo, name="undo"),
    path("zones/<int:pk>/health/", views.health_check, name="health"),
    path("zones/<int:pk>/rollover/", views.key_rollover, name="rollover"),
    path("zones/<int:pk>/dnssec-off/", views.dnssec_off, name="dnssec_off"),
    path("zones/<int:pk>/stop/", views.zone_stop, name="stop"),
    path("zones/<int:pk>/acme/keys/", views.acme_key, name="acme_key"),
    path("zones/<int:pk>/acme/keys/<int:credential>/revoke/", views.acme_key_revoke,
         name="acme_key_revoke"),
    path("domains/<int:domain>/dnssec/", views.external_dnssec, name="external_dnssec"),
]
