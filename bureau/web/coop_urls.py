"""Cooperative routes, mounted at /coop/ by bureau/urls.py (namespace "coop")."""

from django.urls import path

from .views import coop as views

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
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("board/", views.board_page, name="board"),
    path("board/people/", views.board_appoint, name="board_appoint"),
    path("board/people/<int:pk>/dismiss/", views.board_dismiss, name="board_dismiss"),
    path("board/motion/", views.board_motion, name="board_motion"),
    path("board/proposals/<int:pk>/schedule/", views.board_schedule, name="board_schedule"),
    path("board/ballots/<int:pk>/dates/", views.board_dates, name="board_dates"),
    path("board/ballots/<int:pk>/open/", views.board_open, name="board_open"),
    path("board/ballots/<int:pk>/close/", views.board_close, name="board_close"),
    path("transparency/", views.transparency, name="transparency"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
]
