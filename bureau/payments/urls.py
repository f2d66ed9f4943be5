from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("statements/", views.statement_import, name="import"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/assign/", views.assign, name="assign"),
    path("debits/", views.debit_files, name="debits"),
    path("books/", views.books_export, name="books"),
    path("payouts/", views.payout_list, name="payouts"),
    path("payouts/<int:pk>.xml", views.payout_file, name="payout_file"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("shares/card/", views.share_card, name="share_card"),
    path("shares/debit/", views.share_debit, name="share_debit"),
    path("debits/<int:pk>.xml", views.debit_file, name="debit_file"),
]
