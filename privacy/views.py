import logging

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from consents.views import cookie_choice, give_csrf_cookie
from privacy import access_log
from privacy.forms import DataRequestForm
from privacy.models import AccessLogEntry, NoticeItem, NoticeVersion, PackageDownload
from privacy.notices import retention_rules
from privacy.packages import package_for_token
from privacy.requests import submit_web_request, verify_request
from register.hashing import keyed_hash
from register.ratelimit import over_limit

logger = logging.getLogger(__name__)

# The notice in force is the register's most read page and the same for every visitor but for the
# cookie banner (shown until a choice is made, and what the choice allows). So the page's content is kept
# in the cache, rendered once per language and banner state. As Django's documentation advises for a cached
# page with a form, the content holds no CSRF token: the view itself runs on every request and makes sure
# the visitor has the CSRF cookie (give_csrf_cookie), and the banner's script sends the token from that
# cookie in the X-CSRFToken header (static/js/cookie-banner.js). A new notice version, an edited item or
# organisation drops the copies (forget_cached_notices, connected in PrivacyConfig.ready), and every copy
# expires after NOTICE_CACHE_SECONDS in any case (a new release's templates show within that).
NOTICE_CACHE_SECONDS = 600
_BANNER_STATES = ["banner"] + [f"chosen-{analytics}{marketing}" for analytics in "01" for marketing in "01"]


def _notice_cache_key(language: str, banner: str) -> str:
    # The trackers configured are part of the page: a deployment that changes them gets new copies.
    trackers = f"{settings.GOOGLE_TAG_ID}|{settings.META_PIXEL_ID}"
    return f"privacy:notice:{language}:{banner}:{trackers}"


def forget_cached_notices(**kwargs) -> None:
    """Drop every cached copy of the notice page (a signal receiver: the notice or its keeper changed)."""
    keys = [_notice_cache_key(code, state) for code, _name in settings.LANGUAGES for state in _BANNER_STATES]
    try:
        cache.delete_many(keys)
    except Exception:  # any cache backend's connection error: the copies expire on their own
        logger.warning("The cache did not answer; cached notice pages expire on their own")


def _render_notice(request, notice: NoticeVersion, **extra):
    items = list(notice.items.all())
    by_kind = {kind: [i for i in items if i.kind == kind] for kind in NoticeItem.Kind.values}
    return render(
        request,
        "privacy/notice.html",
        {
            "notice": notice,
            "current": NoticeVersion.objects.current(),
            "purposes": by_kind["purpose"],
            "categories": by_kind["category"],
            "sources": by_kind["source"],
            "recipients": by_kind["recipient"],
            "transfers": by_kind["transfer"],
            "retention": retention_rules(),
            "versions": NoticeVersion.objects.published().order_by("-number"),
            **extra,
        },
    )


@require_safe
def notice(request):
    """Show the privacy notice in force, in the page's language, from the cache when it is there."""
    give_csrf_cookie(request)  # for the cookie banner's script, on every response: only the content is cached
    # No copy per query string: anyone could fill the cache with them.
    key = None if request.META.get("QUERY_STRING") else _notice_cache_key(get_language(), _banner_state(request))
    content = _cached(key) if key else None
    if content is None:
        current = NoticeVersion.objects.current()
        if current is None:
            return render(request, "privacy/coming_soon.html", {"title": _("Privacy notice")})
        if key is None:
            return _render_notice(request, current)
        content = _render_notice(request, current).content
        _store(key, content)
    return HttpResponse(content)


def _banner_state(request) -> str:
    """Return what the cookie banner shows this visitor: itself, or what their choice allows."""
    choice = cookie_choice(request)
    return "banner" if choice is None else f"chosen-{int(choice.analytics)}{int(choice.marketing)}"


def _cached(key: str) -> bytes | None:
    try:
        return cache.get(key)
    except Exception:  # any cache backend's connection error: render the page instead
        logger.warning("The cache did not answer; the notice is rendered for this request")
        return None


def _store(key: str, content: bytes) -> None:
    try:
        cache.set(key, content, NOTICE_CACHE_SECONDS)
    except Exception:
        logger.warning("The cache did not answer; the notice page was not cached")


@require_safe
def notice_version(request, number):
    """Show an earlier (or the current) published version at its stable address."""
    version = NoticeVersion.objects.published().filter(number=number).first()
    if version is None:
        raise Http404
    return _render_notice(request, version)


@require_http_methods(["GET", "POST"])
def data_request(request):
    """The public request form. The answer is the same whether or not the email is in the register."""
    form = DataRequestForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, scope="data-request"):
            return render(request, "privacy/request_form.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            if not form.cleaned_data.get("website"):
                data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
                submit_web_request(
                    base_url=request.build_absolute_uri("/"),
                    ip_hash=keyed_hash(request.META.get("REMOTE_ADDR", "")),
                    **data,
                )
            # A robot gets the same thank-you page, and nothing is stored.
            return render(request, "privacy/request_sent.html")
    return render(request, "privacy/request_form.html", {"form": form, "notice": NoticeVersion.objects.current()})


@require_safe
def verify(request, token):
    """Confirm a request by the link emailed to the requester; a link works once."""
    verified = verify_request(token)
    return render(request, "privacy/request_verified.html", {"verified": verified}, status=200 if verified else 404)


@require_safe
def package(request, token):
    """Send the access package while its link is valid; every download is logged."""
    found = package_for_token(token)
    if found is None:
        return render(request, "privacy/package_gone.html", status=404)
    PackageDownload.objects.create(package=found, ip_hash=keyed_hash(request.META.get("REMOTE_ADDR", "")))
    # Also in the access log, so the owner sees in one place every time a whole copy of someone's data
    # left the register, including by a link that reached the wrong hands.
    access_log.record(
        request,
        AccessLogEntry.Action.DOWNLOADED_ACCESS_PACKAGE,
        rows=found.request.people.all(),
        label=str(_("access package")),
    )
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename="tietoni.zip", content_type="application/zip"
    )
