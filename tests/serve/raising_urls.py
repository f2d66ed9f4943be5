"""Bureau's pages and /raise/, a page that fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bureau.urls import handler404, urlpatterns

__all__ = ["handler404", "urlpatterns"]


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the page failed on purpose")


urlpatterns = [path("raise/", fail), *urlpatterns]
