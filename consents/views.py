"""Public consent pages: marketing choices by a signed link, one-click unsubscribe, cookies, Mailchimp's webhook."""

import hmac
import logging

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clients.models import Client
from consents.models import (
    ConsentEvent,
    ConsentState,
    CookieChoice,
    MailchimpMember,
    MarketingProhibition,
    Purpose,
    SuppressedAddress,
)
from consents.services import record_event, suppress, withdraw_all_marketing
from register.ratelimit import over_limit

logger = logging.getLogger(__name__)
SALT = "consents.marketing-choices"
LINK_VALID_SECONDS = 60 * 60 * 24 * 365
COOKIE_NAME = "cookie_choice"


def choices_token(client: Client) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(client.pk))


def choices_url(client: Client) -> str:
    return reverse("consents:choices", args=[choices_token(client)])


def _client_for(token: str) -> Client:
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_VALID_SECONDS)
    except signing.BadSignature as error:
        raise Http404 from error
    client = Client.objects.active().filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def _evidence(request) -> dict:
    return {"ip_address": request.META.get("REMOTE_ADDR", ""), "user_agent": request.headers.get("User-Agent", "")}


@require_http_methods(["GET", "POST"])
def marketing_choices(request, token):
    """Show a person their marketing consents; each is withdrawn with one click, no login needed."""
    client = _client_for(token)
    if request.method == "POST" and over_limit(request, scope="consent-choices", limit=20):
        return HttpResponse(_("Too many changes from your address. Please try again in an hour."), status=429)
    if request.method == "POST":
        purpose = Purpose.objects.filter(code=request.POST.get("withdraw", ""), is_marketing=True).first()
        if purpose is not None:
            record_event(
                client=client,
                kind=ConsentEvent.Kind.WITHDRAWN,
                purpose=purpose,
                channel="web",
                recorded_by="person",
                **_evidence(request),
            )
        elif request.POST.get("prohibit"):
            record_event(
                client=client,
                kind=ConsentEvent.Kind.PROHIBITED,
                channel="web",
                recorded_by="person",
                **_evidence(request),
            )
        return HttpResponseRedirect(request.path)
    states = {s.purpose_id: s for s in ConsentState.objects.filter(client=client).select_related("purpose")}
    purposes = [
        {"purpose": purpose, "granted": bool(states.get(purpose.pk) and states[purpose.pk].granted)}
        for purpose in Purpose.objects.filter(is_marketing=True)
    ]
    prohibited = MarketingProhibition.objects.filter(client=client).exists()
    return render(request, "consents/choices.html", {"purposes": purposes, "prohibited": prohibited, "person": client})


@csrf_exempt  # RFC 8058: the mail client posts without a page, so there is no CSRF token to send
@require_POST
def one_click_unsubscribe(request, token):
    """Withdraw the email marketing consent of the person in the signed link (List-Unsubscribe-Post).

    RFC 8058 scopes a one-click unsubscribe to the mailing list the email came from: other purposes
    stay as they are, changeable on the choices page.
    """
    client = _client_for(token)
    withdraw_all_marketing(
        client=client, channel="email", recorded_by="person", codes=("email_marketing",), **_evidence(request)
    )
    return HttpResponse(status=200)


def marketing_email_headers(client: Client, *, base_url: str) -> dict:
    """Return the headers every marketing email carries: a one-click unsubscribe (RFC 8058)."""
    url = base_url.rstrip("/") + reverse("consents:one_click", args=[choices_token(client)])
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@csrf_exempt  # Mailchimp posts from its servers; the secret in the address is the check
@require_http_methods(["GET", "POST"])
def mailchimp_webhook(request, secret):
    """Record a withdrawal when someone unsubscribes in Mailchimp; suppress an address Mailchimp cleaned."""
    expected = settings.MAILCHIMP_WEBHOOK_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    if request.method == "GET":
        return HttpResponse("ok")  # Mailchimp checks the address with a GET when the webhook is made
    kind = request.POST.get("type", "")
    email = request.POST.get("data[email]", "").strip()
    if kind not in ("unsubscribe", "cleaned") or not email:
        return HttpResponse("ignored")
    if request.POST.get("data[list_id]", settings.MAILCHIMP_AUDIENCE_ID) != settings.MAILCHIMP_AUDIENCE_ID:
        return HttpResponse("ignored")
    if kind == "cleaned":
        # A bounced address: no more marketing to it, though the person did not withdraw anything.
        suppress(email, reason=SuppressedAddress.Reason.BOUNCED)
    purpose = Purpose.objects.get(code="email_marketing")
    members = MailchimpMember.objects.filter(email__iexact=email)
    # The address may be one the person used before: Mailchimp knows only what it was sent.
    people = {*Client.objects.with_email(email), *(member.client for member in members if member.client)}
    for person in people:
        granted = ConsentState.objects.filter(client=person, purpose=purpose, granted=True).exists()
        if kind == "unsubscribe" and granted:
            record_event(
                client=person,
                kind=ConsentEvent.Kind.WITHDRAWN,
                purpose=purpose,
                channel="mailchimp",
                recorded_by="person",
            )
    members.update(status="unsubscribed" if kind == "unsubscribe" else "cleaned")
    return HttpResponse("ok")


# Cookie consent ------------------------------------------------------------------------------------


def cookie_choice(request) -> CookieChoice | None:
    """Return the visitor's stored cookie choice, if any (the cookie holds only its random id)."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=SALT)
    if not value:
        return None
    return CookieChoice.objects.filter(pk=value).first()


def give_csrf_cookie(request) -> None:
    """Make sure the response sets the CSRF cookie, from which the cookie banner's script takes its token.

    Django's ``get_token`` does it (as ``ensure_csrf_cookie`` would), here only for a visitor who has no
    such cookie: it also masks a fresh copy of the token each time, which costs more than sending the
    cached notice page, and a cookie the visitor has stays valid (a page with a form renews it).
    """
    if settings.CSRF_COOKIE_NAME not in request.COOKIES:
        get_token(request)


@require_http_methods(["GET", "POST"])
def cookie_settings(request):
    """Show and change the cookie choice; refusing is one click, like accepting."""
    current = cookie_choice(request)
    if request.method == "POST":
        action = request.POST.get("choice")
        if action == "all":
            analytics = marketing = True
        elif action == "necessary":
            analytics = marketing = False
        else:
            analytics, marketing = bool(request.POST.get("analytics")), bool(request.POST.get("marketing"))
        # Every choice is a row of its own: what was chosen when stays on record.
        choice = CookieChoice.objects.create(analytics=analytics, marketing=marketing)
        target = request.POST.get("next", "/")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        response = HttpResponseRedirect(target)
        response.set_signed_cookie(
            COOKIE_NAME,
            str(choice.pk),
            salt=SALT,
            max_age=60 * 60 * 24 * 180,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
    # The cookie banner without scripts comes here by a GET with the page it was on: the choice made
    # here returns there (checked again when posted).
    return render(request, "consents/cookies.html", {"choice": current, "next": request.GET.get("next", "")})
