from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from consents.services import keyed_hash
from privacy import access_log
from privacy.forms import DataRequestForm
from privacy.models import AccessLogEntry, NoticeItem, NoticeVersion, PackageDownload
from privacy.notices import retention_rules
from privacy.packages import package_for_token
from privacy.requests import submit_web_request, verify_request
from register.ratelimit import over_limit


def _render_notice(request, notice: NoticeVersion):
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
        },
    )


@require_safe
def notice(request):
    """Show the privacy notice in force, in the page's language."""
    current = NoticeVersion.objects.current()
    if current is None:
        return render(request, "privacy/coming_soon.html", {"title": _("Privacy notice")})
    return _render_notice(request, current)


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
