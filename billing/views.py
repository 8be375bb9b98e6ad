from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from billing.feedback import appointment_for_token, save_feedback
from billing.forms import FeedbackForm
from billing.models import Feedback
from register.ratelimit import over_limit


@require_http_methods(["GET", "POST"])
def feedback(request, token):
    """Ask for one score and an optional comment on a visit, through the signed link of the email."""
    visit = appointment_for_token(token)
    if visit is None:
        return render(request, "billing/feedback_invalid.html", status=404)
    if Feedback.objects.filter(appointment=visit).exists():
        return render(request, "billing/feedback_thanks.html", {"already": True})
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and over_limit(request, scope="feedback", limit=10):
        return render(
            request, "billing/feedback_form.html", {"form": form, "visit": visit, "limited": True}, status=429
        )
    if request.method == "POST" and form.is_valid():
        saved = save_feedback(
            appointment=visit, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
        )
        return render(request, "billing/feedback_thanks.html", {"already": saved is None})
    return render(request, "billing/feedback_form.html", {"form": form, "visit": visit})
