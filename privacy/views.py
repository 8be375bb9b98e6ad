from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe


@require_safe
def notice(request):
    """Show the published privacy notice (until notices are data, a page saying where to ask)."""
    return render(request, "privacy/coming_soon.html", {"title": _("Privacy notice")})


@require_safe
def data_request(request):
    """Show the data request form (until it exists, a page saying how to make a request in writing)."""
    return render(request, "privacy/coming_soon.html", {"title": _("Data request")})
