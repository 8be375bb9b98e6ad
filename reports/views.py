"""The dashboard (the admin site's first page), the chart downloads and the reports' pages and files.

Every URL here is served by the admin site (``admin_urls`` is one of its URL providers), behind the
same login, second factor and confidentiality agreement as the rest of the back office. Each section,
chart and report then needs the permission of the rows it counts.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from billing.money import format_money
from clients.scoping import sees_everyone
from register.signals import EXPORTED, data_accessed
from reports.charts import chart_table, draw, svg
from reports.exports import csv_response, xlsx_response
from reports.figures import (
    appointments_now,
    appointments_per_week,
    consent_coverage,
    feedback_per_coach,
    invoice_balances,
    new_people_per_month,
    open_requests,
    people_per_role,
    revenue_per_month,
)
from reports.forms import DateRangeForm
from reports.tables import REPORTS, Report

# The charts in the order the dashboard shows them, each with the permission of the rows it counts.
CHARTS = {
    "appointments": (appointments_per_week, "bookings.view_appointment"),
    "revenue": (revenue_per_month, "billing.view_invoice"),
    "new-people": (new_people_per_month, "clients.view_client"),
    "feedback": (feedback_per_coach, "billing.view_feedback"),
}
ROWS_PER_PAGE = 200
EXPORT_FORMATS = {"csv": csv_response, "xlsx": xlsx_response}


def admin_urls(site) -> list:
    """Return the URLs of the dashboard's downloads and of the reports (one per report: no arguments)."""
    urls = [path("reports/", site.admin_view(partial(reports_index, site)), name="reports_index")]
    for report in REPORTS.values():
        urls.append(
            path(
                f"reports/{report.slug}/",
                site.admin_view(partial(report_view, site, report)),
                name=f"reports_{report.slug}",
            )
        )
    for slug in CHARTS:
        urls.append(
            path(f"dashboard/{slug}.csv", site.admin_view(partial(chart_csv, slug)), name=chart_url_name(slug))
        )
    return urls


def chart_url_name(slug: str) -> str:
    return "reports_chart_" + slug.replace("-", "_")


# The dashboard --------------------------------------------------------------------------------------------


def visible_charts(user, *, today: date) -> list:
    """Return the charts the user may see."""
    return [make(user, today=today) for make, permission in CHARTS.values() if user.has_perm(permission)]


def dashboard_context(request) -> dict:
    """Return the dashboard of the signed-in staff member: only the sections their permissions cover."""
    user, today = request.user, timezone.localdate()
    board = {"today": today, "sees_everyone": sees_everyone(user)}
    if user.has_perm("bookings.view_appointment"):
        board["week"] = appointments_now(user, today=today)
    if user.has_perm("privacy.view_datarequest"):
        board["requests"] = open_requests(today=today)
    if user.has_perm("billing.view_invoice"):
        board["invoices"] = invoice_balances(user, today=today)
    if user.has_perm("clients.view_client"):
        board["roles"] = people_per_role(user)
    if user.has_perm("consents.view_purpose"):
        board["coverage"] = consent_coverage(user)
    board["charts"] = []
    for chart in visible_charts(user, today=today):
        drawing = draw(chart)
        board["charts"].append(
            {
                "chart": chart,
                "drawing": drawing,
                "svg": svg(chart, drawing),
                "table": chart_table(chart),
                "csv_url": reverse("admin:" + chart_url_name(chart.slug)),
            }
        )
    board["reports"] = [report for report in REPORTS.values() if report.may_see(user)]
    return {"dashboard": board}


def chart_csv(slug: str, request):
    """Send the numbers of one dashboard chart as CSV, as the signed-in staff member sees them."""
    make, permission = CHARTS[slug]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    today = timezone.localdate()
    headers, rows = chart_table(make(request.user, today=today), for_file=True)
    return csv_response(f"{slug}-{today:%Y-%m-%d}", headers, rows)


# Reports -----------------------------------------------------------------------------------------------------


def reports_index(site, request):
    reports = [report for report in REPORTS.values() if report.may_see(request.user)]
    context = {**site.each_context(request), "title": _("Reports"), "reports": reports}
    return TemplateResponse(request, "reports/index.html", context)


def report_view(site, report: Report, request):
    """Show a report for the chosen period a page at a time, or send it whole as CSV or XLSX."""
    if not report.may_see(request.user):
        raise PermissionDenied
    form = DateRangeForm.for_request(request.GET, today=timezone.localdate())
    export = request.GET.get("export", "")
    context = {
        **site.each_context(request),
        "title": report.title,
        "report": report,
        "form": form,
        "columns": report.columns,
    }
    if export and export not in EXPORT_FORMATS:
        context["export_error"] = _("Choose CSV or XLSX.")
        return TemplateResponse(request, "reports/report.html", context, status=400)
    if not form.is_valid():
        return TemplateResponse(request, "reports/report.html", context)

    user, start, end = request.user, form.cleaned_data["start"], form.cleaned_data["end"]
    queryset = report.queryset(user, start, end)
    if export:
        if report.names_people:
            label = f"{report.title} {start:%d.%m.%Y}–{end:%d.%m.%Y} ({export.upper()})"
            data_accessed(request, EXPORTED, report.people(user, start, end), label=label)
        rows = (
            [file_value(value, column.kind) for value, column in zip(report.row(item), report.columns, strict=True)]
            for item in queryset.iterator(chunk_size=2000)
        )
        filename = f"{report.slug}-{start:%Y-%m-%d}-{end:%Y-%m-%d}"
        return EXPORT_FORMATS[export](filename, [column.label for column in report.columns], rows)

    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    query["start"], query["end"] = start.isoformat(), end.isoformat()
    context.update(
        {
            "page": page,
            "rows": [
                [
                    (display_value(value, column.kind), column.kind)
                    for value, column in zip(report.row(item), report.columns, strict=True)
                ]
                for item in page.object_list
            ],
            "summary": [
                (label, display_value(value, kind)) for label, value, kind in report.summary(user, start, end)
            ],
            "query": query.urlencode(),
            "start": start,
            "end": end,
        }
    )
    return TemplateResponse(request, "reports/report.html", context)


def file_value(value, kind: str):
    """Return a cell for a file: numbers and dates as such, a yes or no in words, a time as HH:MM."""
    if kind == "yes_no":
        return _("yes") if value else _("no")
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return "" if value is None else value


def display_value(value, kind: str) -> str:
    """Return a cell as the page shows it, in the Finnish or English way of the page's language."""
    if value is None or value == "":
        return ""
    if kind == "yes_no":
        return _("yes") if value else ""
    if kind == "date" and isinstance(value, date | datetime):
        return date_format(value, "j.n.Y")
    if kind == "time":
        return f"{value:%H:%M}"
    if kind == "money":
        return format_money(value, currency=False)
    if kind == "number" and isinstance(value, Decimal):
        return formats.number_format(value.normalize(), use_l10n=True, force_grouping=True)
    if kind == "number":
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)
