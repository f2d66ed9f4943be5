"""Routes of API version 1, mounted at /api/v1/."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .docs import RedocView, SwaggerView
from .views import billing, contacts, coop, domains, organisations, payments, search, tokens

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.register("domains", domains.DomainViewSet, basename="domain")
router.register("contacts", contacts.ContactViewSet, basename="contact")
router.register("billing/balances", billing.BalanceViewSet, basename="balance")
router.register("billing/ledger", billing.LedgerViewSet, basename="ledger")
router.register("billing/orders", billing.OrderViewSet, basename="order")
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register(r"organisations/(?P<organisation_slug>[-\w]+)/members",
                organisations.MemberViewSet, basename="member")
router.register(r"organisations/(?P<organisation_slug>[-\w]+)/invitations",
                organisations.InvitationViewSet, basename="invitation")
router.register("tokens", tokens.TokenViewSet, basename="token")
router.register("coop/proposals", coop.ProposalViewSet, basename="coop-proposal")
router.register("coop/ballots", coop.BallotViewSet, basename="coop-ballot")

urlpatterns = [
    path("search/", search.SearchView.as_view(), name="search"),
    path("transfers/", domains.TransferInView.as_view(), name="transfer-in"),
    path("payments/statements/", payments.StatementImportView.as_view(),
         name="statement-import"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
