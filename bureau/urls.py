"""URL routes: the portal, the REST API, the operators' admin and the apps' pages."""

from django.contrib import admin
from django.urls import include, path

from bureau.core.health import health
from bureau.web import admin_site

# The admin logs in through allauth and asks staff for a second factor.
admin_site.secure(admin.site)

# RDAP (/rdap/ and BUREAU_RDAP_HOST) is routed by bureau.rdap.middleware, before the portal's
# middleware.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("health", health),  # load balancers that do not follow redirects
    path("api/v1/dns/", include("bureau.api.dns_urls")),
    path("api/v1/", include("bureau.api.urls")),
    path("notices/", include("bureau.notices.urls")),
    path("coop/", include("bureau.web.coop_urls")),
    path("payments/", include("bureau.payments.urls")),
    # Portal (bureau.web): allauth's account and 2FA pages, language switch, then the pages.
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dns/", include("bureau.web.dns_urls")),
    path("", include("bureau.web.urls")),
]

# Errors outside the API's views answer with problem details under /api/ and pages elsewhere:
# an unmatched path (404), a body over the limit (413), a database out of reach (503).
handler404 = "bureau.api.problems.not_found_view"
handler400 = "bureau.api.problems.bad_request_view"
handler500 = "bureau.api.problems.server_error_view"
