"""The back office's own writing of list rows gives the admin's markup exactly.

Every list of the admin site is opened on a generated register, plain and with its filters in the
address (so that each row's link carries them), and each row is written both by the admin's
``items_for_result`` and by ``ColumnPlan``: the two must be the same string, and the page must show it.
"""

import datetime as dt
from io import StringIO
from pathlib import Path

import django.contrib.admin
import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.template import Context, Engine
from django.test.html import parse_html
from django.urls import NoReverseMatch, reverse

from privacy.requests import record_request
from register.admin_rows import ColumnPlan
from register.management.commands.seed_demo import Command
from tests.auth import sign_in
from tests.factories import LocationFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register_of_people(seller, settings):
    """Generate a small register with rows in every large table, and return its superuser."""
    settings.DEBUG = True
    owner = UserFactory(username="demo", is_staff=True, is_superuser=True)
    ServiceFactory(name_fi="PT", duration=dt.timedelta(minutes=60))
    LocationFactory(name="Studio")
    command = Command(stdout=StringIO(), stderr=StringIO())
    command.verbosity = 0
    command._seed_at_scale(150)
    for number, kind in enumerate(["access", "erasure", "objection"]):
        record_request(
            received_on=dt.date.today() - dt.timedelta(days=20 * number), kind=kind, channel="email",
            name=f"Pyytäjä {number}", email=f"pyytaja{number}@example.invalid",
        )  # fmt: skip
    return owner


def _list_urls():
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        yield url
        # Sorted by the second column and searched: every row's link then carries the filters.
        query = "?o=2.1" + ("&q=a" if model_admin.search_fields else "")
        yield url + query


def test_every_list_writes_its_rows_as_the_admin_would(client, register_of_people):
    sign_in(client, register_of_people)
    compared = 0
    for url in _list_urls():
        response = client.get(url)
        cl = response.context.get("cl") if response.status_code == 200 and response.context else None
        if cl is None or cl.formset:  # a page that is not a list (a redirect), or one the admin writes itself
            continue
        plan = ColumnPlan(cl)
        for result in cl.result_list:
            ours = plan.row(result)
            assert ours == "".join(items_for_result(cl, result, None)), url
            assert ours in response.content.decode(), url
            compared += 1
    # The generated register fills the large lists: the comparison covered real rows.
    assert compared > 500


def test_the_row_link_keeps_the_filters_to_return_to(client, register_of_people):
    sign_in(client, register_of_people)
    response = client.get(reverse("admin:clients_client_changelist") + "?role__exact=client&o=1")
    person = response.context["cl"].result_list[0]
    link = reverse("admin:clients_client_change", args=[person.pk])
    assert f'href="{link}?_changelist_filters=role__exact%3Dclient%26o%3D1"' in response.content.decode()


@pytest.mark.parametrize("language", ["fi", "en"])
@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("DATETIME_FORMAT", dt.datetime(2026, 12, 7, 9, 5, tzinfo=dt.UTC)),
        ("DATETIME_FORMAT", dt.datetime(2026, 3, 29, 23, 59, tzinfo=dt.UTC)),  # the night summer time starts
        ("DATE_FORMAT", dt.date(2026, 1, 31)),
        ("TIME_FORMAT", dt.time(7, 30)),
        ("SHORT_DATETIME_FORMAT", dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)),
    ],
)
def test_a_date_format_split_once_formats_as_django_does(language, kind, value):
    from django.utils import formats, timezone, translation

    from register.admin_rows import CompiledDateFormat

    with translation.override(language):
        compiled = CompiledDateFormat(formats.get_format(kind), times=kind == "TIME_FORMAT")
        shown = value if not isinstance(value, dt.datetime) else timezone.template_localtime(value)
        expected = formats.localize(shown) if kind != "SHORT_DATETIME_FORMAT" else formats.date_format(shown, kind)
        assert compiled.format(shown) == expected


def test_a_date_format_with_hours_refuses_a_date_as_django_does():
    from register.admin_rows import CompiledDateFormat

    with pytest.raises(TypeError):
        CompiledDateFormat("j.n.Y H:i").format(dt.date(2026, 1, 1))


def test_a_choice_label_is_the_display_of_the_choice(register_of_people):
    from django.utils import translation

    from privacy.models import AccessLogEntry, DataRequest
    from register.choices import choice_label

    entry, request = AccessLogEntry.objects.first(), DataRequest.objects.first()
    for language in ("fi", "en"):
        with translation.override(language):
            assert choice_label(entry, "action") == entry.get_action_display()
            assert choice_label(request, "kind") == request.get_kind_display()
    request.kind = "no-such-kind"
    assert choice_label(request, "kind") == request.get_kind_display() == "no-such-kind"


@pytest.mark.parametrize("language", ["fi", "en"])
@pytest.mark.parametrize("key", [7, 123456, "a b/ä?&", "_5Fx"])
@pytest.mark.parametrize("viewname", ["admin:clients_client_change", "admin:billing_invoice_pdf"])
def test_an_address_resolved_once_is_the_one_reverse_gives(language, key, viewname):
    from django.urls import get_script_prefix, set_script_prefix
    from django.utils import translation

    from register.admin_lists import object_url

    with translation.override(language):
        if viewname.endswith("_pdf") and not str(key).isdigit():
            # A number only, there: both refuse the same way.
            with pytest.raises(NoReverseMatch):
                reverse(viewname, args=[key])
            with pytest.raises(NoReverseMatch):
                object_url(viewname, key)
            return
        assert object_url(viewname, key) == reverse(viewname, args=[key])
        previous = get_script_prefix()
        set_script_prefix("/rekisteri/")
        try:
            assert object_url(viewname, key) == reverse(viewname, args=[key])
            assert object_url(viewname, key).startswith("/rekisteri/")
        finally:
            set_script_prefix(previous)


def _admins_own_list_page(response):
    """Render the list page with the admin's own templates only, from the context the page was made with."""
    folder = Path(django.contrib.admin.__file__).parent / "templates"
    engine = Engine(
        dirs=[folder],
        libraries={
            "i18n": "django.templatetags.i18n",
            "static": "django.templatetags.static",
            "admin_list": "django.contrib.admin.templatetags.admin_list",
            "admin_urls": "django.contrib.admin.templatetags.admin_urls",
            "log": "django.contrib.admin.templatetags.log",
        },
    )
    names = response.context.keys()  # the names of every context the page's templates were given
    return engine.get_template("admin/change_list.html").render(Context({key: response.context[key] for key in names}))


def test_every_list_writes_its_table_and_filters_as_the_admin_would(client, register_of_people):
    from register.admin_markup import filters_panel, results_table

    sign_in(client, register_of_people)
    compared = filtered = 0
    people = reverse("admin:clients_client_changelist")
    services = reverse("admin:bookings_service_changelist")
    for url in [*_list_urls(), people + "?role__exact=client&o=-3.1", services + "?_facets=True"]:
        response = client.get(url)
        cl = response.context.get("cl") if response.status_code == 200 and response.context else None
        if cl is None or cl.formset:
            continue
        admins_own_text = _admins_own_list_page(response)
        admins_own = parse_html(admins_own_text)
        page = parse_html(response.content.decode())
        for ours, marker in ((results_table(cl), 'id="result_list"'), (filters_panel(cl), 'id="changelist-filter"')):
            if not ours:
                # Written as nothing where the admin writes nothing (no rows, no filters).
                assert marker not in admins_own_text, url
                continue
            assert admins_own.count(parse_html(ours)) == 1, url
            assert page.count(parse_html(ours)) == 1, url
            compared += 1
        filtered += bool(cl.has_filters)
    assert compared > 30 and filtered > 10


@pytest.mark.parametrize(
    "format_string",
    [
        "j.n.Y G.i",
        "d.m.Y H:i:s",
        "y-m-d",
        "\\k\\l\\o G",
        "j. F Y",
        "D j.n.",
        "j. E Y \\k\\e\\l\\l\\o G.i",
        "N j, Y b M",
    ],
)
@pytest.mark.parametrize(
    "value",
    [dt.datetime(2026, 3, 4, 5, 6, 7), dt.datetime(899, 12, 31, 23, 59, 59), dt.datetime(2007, 1, 1, 0, 0, 0)],
)
def test_a_date_written_from_its_numbers_is_written_as_django_writes_it(format_string, value):
    from django.utils import dateformat, translation

    from register.admin_rows import CompiledDateFormat

    with translation.override("fi"):
        assert CompiledDateFormat(format_string).format(value) == dateformat.format(value, format_string)
        if "G" not in format_string and "H" not in format_string:
            day = value.date()
            assert CompiledDateFormat(format_string).format(day) == dateformat.format(day, format_string)


@pytest.mark.parametrize("language", ["fi", "en"])
def test_every_month_name_is_written_as_django_writes_it(language):
    from django.utils import dateformat, translation

    from register.admin_rows import CompiledDateFormat

    with translation.override(language):
        compiled = CompiledDateFormat("j. E Y, F, N, b, M")
        assert compiled.numbers is not None  # written from the numbers and names, not by DateFormat
        for month in range(1, 13):
            day = dt.date(2026, month, 2)
            assert compiled.format(day) == dateformat.format(day, "j. E Y, F, N, b, M"), month
