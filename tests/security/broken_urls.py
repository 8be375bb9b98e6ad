"""A URLconf whose only page fails, to see what a visitor gets from a server error."""

from django.urls import path


def broken(request):
    raise RuntimeError("secret detail: DATABASE password")


urlpatterns = [path("", broken)]
