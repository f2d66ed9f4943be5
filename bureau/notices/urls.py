from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("verify/<str:token>/", views.verify, name="verify"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("new-link/<int:pk>/", views.new_link, name="new_link"),
    path("fees/", views.fees, name="fees"),
    path("parked/", views.parked, name="parked"),
    path("goodbye/<str:name>/", views.goodbye_view, name="goodbye"),
    path("auto-renew/<str:name>/", views.auto_renew_view, name="auto_renew"),
]
