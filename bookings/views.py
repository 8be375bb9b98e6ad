from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from bookings.calendar_files import FEED_FUTURE, FEED_PAST, coach_feed
from bookings.models import Appointment, Coach
from register.models import has_confidentiality_agreement


@require_safe
def calendar_feed(request, token):
    """Serve a coach's private calendar feed; the secret address is the only key, and can be revoked."""
    coach = (
        Coach.objects.select_related("user")
        .filter(feed_token_hash=Coach.hash_token(token))
        .exclude(feed_token_hash="")
        .first()
    )
    # The feed holds client names: it stops with the account, as the back office does without an agreement.
    if coach is None or not (
        coach.user.is_active and coach.user.is_staff and has_confidentiality_agreement(coach.user)
    ):
        raise Http404
    now = timezone.now()
    appointments = (
        Appointment.objects.filter(coach=coach.user)
        .between(now - FEED_PAST, now + FEED_FUTURE)
        .select_related("client", "service", "location")
        .order_by("starts_at")
    )
    body = coach_feed(appointments, host=request.get_host().split(":")[0], name=coach.display_name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
