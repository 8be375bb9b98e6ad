from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from privacy.models import NoticeItem, NoticeVersion
from privacy.notices import retention_rules


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


@require_safe
def data_request(request):
    """Show the data request form (until it exists, a page saying how to make a request in writing)."""
    return render(request, "privacy/coming_soon.html", {"title": _("Data request")})
