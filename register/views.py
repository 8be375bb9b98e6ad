import logging

from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def front_page(request):
    """Show who keeps the register, with links to the privacy notice and the request form."""
    return render(request, "register/front_page.html")


@never_cache
@require_safe
def healthz(request):
    """Answer a load balancer: 200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The caller learns only that the app is unhealthy; the reason goes to the log for the operator.
        logger.exception("Health check failed: the database did not answer")
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Send browsers asking for /favicon.ico to the icon among the static files (hashed name in production)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
