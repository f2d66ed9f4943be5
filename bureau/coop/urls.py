"""Cooperative routes, mounted at /coop/ by bureau/urls.py (namespace "coop")."""

from django.urls import path

from . import views

app_name = "coop"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("shares/", views.shares, name="shares"),
    path("leave/", views.leave, name="leave"),
    path("certificate/", views.certificate, name="certificate"),
    path("certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("register/", views.register, name="register"),
    path("register/<int:number>/exclude/", views.exclude, name="exclude"),
    path("ballots/", views.ballot_list, name="ballots"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot"),
    path("ballots/<int:pk>/published.json", views.ballot_data, name="ballot_data"),
    path("prices/", views.price_lists, name="price_lists"),
    path("prices/<int:pk>/", views.price_list, name="price_list"),
    path("prices/propose/", views.propose, name="propose"),
    path("transparency/", views.transparency, name="transparency"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
]
