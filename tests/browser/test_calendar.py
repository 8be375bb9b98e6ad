"""Staff in a real browser: book from an empty slot of the calendar by mouse and keyboard, meet the overlap error."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from tests.browser import staff
from tests.factories import ClientFactory, CoachFactory, ServiceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page):
    UserFactory(username="omistaja", is_staff=True, is_superuser=True)
    staff.log_in(page, "omistaja")


def choose_client(page, last_name):
    page.locator("#id_client").locator("xpath=following-sibling::span").first.click()
    page.locator(".select2-search__field").fill(last_name)
    page.locator(".select2-results__option", has_text=last_name).click()


def test_staff_book_from_an_empty_slot_see_it_and_cannot_double_book_the_coach(page, live_server):
    log_in(page)
    coach = CoachFactory(display_name="Sami Muhonen")
    ServiceFactory(name_fi="Personal training")
    ClientFactory(last_name="Ensimmäinen", first_name="Eeva")
    ClientFactory(last_name="Toinen", first_name="Tuomas")
    day = timezone.localdate() + timedelta(days=1)

    calendar_url = f"/admin/bookings/appointment/calendar/?view=week&date={day:%Y-%m-%d}&coach={coach.user_id}"
    page.goto(calendar_url)
    calendar = page.get_by_test_id("calendar")
    expect(calendar).to_be_visible()
    # The 10:00 row's cell in the day's column: the row is found by its heading, the column by its day.
    column = calendar.locator(f'th[data-day="{day:%Y-%m-%d}"]')
    index = column.evaluate("heading => [...heading.parentNode.cells].indexOf(heading)")
    calendar.locator("tbody tr", has=page.locator('th:text-is("10:00")')).locator("td").nth(index - 1).click()

    expect(page.locator("#id_coach")).to_have_value(str(coach.user_id))
    expect(page.locator("#id_starts_at_0")).to_have_value(f"{day:%d.%m.%Y}")
    expect(page.locator("#id_starts_at_1")).to_have_value("10.00.00")
    choose_client(page, "Ensimmäinen")
    page.locator("#id_service").select_option(label="Personal training")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_be_visible()

    page.goto(calendar_url)
    appointment = page.get_by_test_id("appointment")
    expect(appointment).to_have_count(1)
    expect(appointment).to_contain_text("10:00–11:00")
    expect(appointment).to_contain_text("Ensimmäinen")

    # The 10:30 cell lies under the booked appointment: staff reach it with the keyboard, from the
    # first cell of the grid (06:00 on Monday) down the rows and across the days.
    calendar.locator("tbody td").first.focus()
    for _ in range(9):
        page.keyboard.press("ArrowDown")
    for _ in range(index - 1):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#id_starts_at_0")).to_have_value(f"{day:%d.%m.%Y}")
    expect(page.locator("#id_starts_at_1")).to_have_value("10.30.00")
    expect(page.locator("#id_coach")).to_have_value(str(coach.user_id))
    choose_client(page, "Toinen")
    page.locator("#id_service").select_option(label="Personal training")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("Sami Muhonen")
    expect(page.locator(".errorlist")).to_contain_text("Ensimmäinen, Eeva")
    assert Appointment.objects.count() == 1
