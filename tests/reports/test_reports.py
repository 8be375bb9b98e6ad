"""The date-range reports: their rows and totals, CSV and XLSX files, who may open them, bad periods."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from privacy.models import AccessLogEntry
from reports.periods import previous_month
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def url(name, **query):
    """Return a report's address in the English back office (new strings get Finnish only at release)."""
    with translation.override("en"):
        address = reverse(f"admin:reports_{name}")
    return address + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_the_vat_summary_per_month_and_rate_with_the_credit_note_taken_off(client, register, team):
    sign_in(client, team.bookkeeper)
    rows = csv_rows(client.get(url("vat", start="2024-12-01", end="2025-01-31", export="csv")))
    assert rows[1:] == [
        ["2024-12", "25.50", "99.68", "25.42", "125.10", "2"],
        ["2024-12", "14.00", "74.56", "10.44", "85.00", "1"],
        ["2025-01", "25.50", "-20.00", "-5.10", "-25.10", "1"],
        ["2025-01", "14.00", "37.28", "5.22", "42.50", "2"],
    ]
    page = client.get(url("vat", start="2024-12-01", end="2025-01-31"))
    summary = dict(page.context["summary"])
    values = list(summary.values())
    # Per rate over the period: 25.5 % 79.68 and 20.32, 14 % 111.84 and 15.66 .
    assert values == ["79.68", "20.32", "111.84", "15.66"]
    # The month of the credit note alone: the credited December invoice is taken off January.
    january = csv_rows(client.get(url("vat", start="2025-01-05", end="2025-01-05", export="csv")))
    assert january[1:] == [
        ["2025-01", "25.50", "-20.00", "-5.10", "-25.10", "1"],
        ["2025-01", "14.00", "-74.56", "-10.44", "-85.00", "1"],
    ]


def test_the_vat_summary_as_xlsx_keeps_numbers_as_numbers(client, register, team):
    sign_in(client, team.bookkeeper)
    response = client.get(url("vat", start="2024-12-01", end="2024-12-31", export="xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="vat-2024-12-01-2024-12-31.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 3
    assert rows[1][0] == "2024-12" and float(rows[1][2]) == 99.68 and float(rows[1][3]) == 25.42


def test_appointments_report_lists_cancelled_ones_and_whether_each_is_invoiced(client, register, team):
    sign_in(client, team.bookkeeper)
    rows = csv_rows(client.get(url("appointments", start="2024-12-30", end="2025-01-05", export="csv")))
    assert [row[:2] + row[4:] for row in rows[1:]] == [
        ["2024-12-30", "10:00", "Aaltonen, Aino", "Personal training", "attended", "no", "no"],
        ["2025-01-01", "12:00", "Eskola, Eero", "Personal training", "no-show", "no", "no"],
        ["2025-01-03", "10:00", "Aaltonen, Aino", "Personal training", "cancelled by the client", "yes", "no"],
        ["2025-01-05", "23:30", "Vieraskorpi, Vieno", "Personal training", "attended", "no", "no"],
    ]
    page = client.get(url("appointments", start="2024-12-30", end="2025-01-05"))
    assert page.status_code == 200
    assert "Vieraskorpi, Vieno" in page.content.decode()


def test_a_coach_gets_the_reports_of_their_own_clients_and_appointments_only(client, register, team):
    sign_in(client, team.sami)
    rows = csv_rows(client.get(url("appointments", start="2025-01-06", end="2025-01-12", export="csv")))
    # His stand-in appointment with Laura's client, and his own client's booking; none of Laura's own.
    assert [(row[0], row[4]) for row in rows[1:]] == [
        ("2025-01-07", "Vieraskorpi, Vieno"),
        ("2025-01-08", "Eskola, Eero"),
    ]
    visits = csv_rows(client.get(url("visits", start="2024-12-30", end="2025-01-05", export="csv")))
    assert [row[0] for row in visits[1:]] == ["Aaltonen, Aino", "Eskola, Eero"]
    # Billing is not a coach's: no VAT summary, no payments.
    assert client.get(url("vat")).status_code == 403
    assert client.get(url("payments")).status_code == 403


def test_visits_per_client_count_outcomes_and_the_last_visit(client, register, team):
    sign_in(client, team.owner)
    rows = csv_rows(client.get(url("visits", start="2024-12-30", end="2025-01-05", export="csv")))
    assert rows[1:] == [
        ["Aaltonen, Aino", "1", "0", "1", "0", "0", "2", "2024-12-30"],
        ["Eskola, Eero", "0", "1", "0", "0", "0", "1", ""],
        ["Vieraskorpi, Vieno", "1", "0", "0", "0", "0", "1", "2025-01-05"],
    ]


def test_payments_received_with_the_unmatched_and_a_formula_kept_as_text(client, register, team):
    sign_in(client, team.bookkeeper)
    rows = csv_rows(client.get(url("payments", start="2025-01-01", end="2025-01-31", export="csv")))
    assert [row[:3] + row[4:5] for row in rows[1:]] == [
        ["2025-01-06", "50.00", "Vieno V", register.second.display_number],
        ["2025-01-07", "10.00", "'=HYPERLINK(1)", ""],
    ]
    summary = list(client.get(url("payments", start="2025-01-01", end="2025-01-31")).context["summary"])
    assert [value for _label, value in summary] == ["2", "60.00", "10.00"]


def test_an_export_naming_people_is_recorded_in_the_access_log(client, register, team):
    sign_in(client, team.owner)
    client.get(url("visits", start="2024-12-30", end="2025-01-05", export="csv"))
    entries = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORTED, user=team.owner)
    assert set(entries.values_list("person_id", flat=True)) == {register.aino.pk, register.eero.pk, register.vieno.pk}
    # The VAT summary names nobody and is not logged.
    client.get(url("vat", export="csv"))
    assert AccessLogEntry.objects.filter(user=team.owner).count() == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-02-01", "end": "2025-01-01"}, "The end date must be on or after the start date."),
        ({"start": "2020-01-01", "end": "2025-12-31"}, "Choose a period of at most five years."),
        ({"start": "31.2.2025", "end": "2025-03-01"}, "Enter a valid date."),
        ({"start": "", "end": "2025-03-01"}, "This field is required."),
    ],
)
def test_a_bad_period_is_a_form_error_not_a_crash(client, team, query, message):
    sign_in(client, team.owner)
    for export in ("", "csv"):
        response = client.get(url("appointments", **query, export=export))
        assert response.status_code == 200
        assert 'data-testid="form-errors"' in response.content.decode()
        assert message in response.content.decode()
        assert "page" not in response.context or response.context.get("page") is None


def test_an_unknown_file_format_is_refused(client, team):
    sign_in(client, team.owner)
    assert client.get(url("vat", export="pdf")).status_code == 400


def test_without_dates_a_report_shows_the_previous_month(client, team):
    sign_in(client, team.owner)
    today = timezone.localdate()
    form = client.get(url("vat")).context["form"]
    assert form.is_valid()
    assert form.cleaned_data["start"] == previous_month(today)
    assert form.cleaned_data["end"] == today.replace(day=1) - timedelta(days=1)


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
@pytest.mark.parametrize(
    ("report", "permission"),
    [
        ("appointments", "bookings.view_appointment"),
        ("visits", "bookings.view_appointment"),
        ("vat", "billing.view_invoice"),
        ("payments", "billing.view_payment"),
    ],
)
def test_each_report_opens_to_those_with_the_permission_of_its_rows(
    client, visitors, organisation, visitor, status, report, permission
):
    visitors(permissions=[permission]).log_in(client, visitor)
    for export in ("", "csv"):
        response = client.get(url(report, start="2025-01-01", end="2025-01-31", export=export))
        assert response.status_code == status


def test_the_reports_page_lists_what_the_role_may_open(client, team):
    sign_in(client, team.sami)
    listed = client.get(url("index")).context["reports"]
    assert [report.slug for report in listed] == ["appointments", "visits"]
    sign_in(client, team.privacy_handler)
    assert client.get(url("index")).context["reports"] == []
