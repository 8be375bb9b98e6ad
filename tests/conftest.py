import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.utils import translation

from register.models import Organisation
from tests.auth import sign_in
from tests.factories import UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The flags keep a headless Chromium from reaching out to the network on its own and from needing a
# sandbox that a root container cannot give it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache, so nothing cached by one test leaks into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the site's default language.

    A request through the test client leaves the language it was served in active in the thread (a
    server activates each request's own anyway): after a page of /en/, a test's reverse() would
    otherwise give English addresses, and its pages would come in English.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def organisation(db):
    """Return the organisation as the data migration creates it, with the VAT rates of another.

    Transactional tests (the live server) empty every table afterwards, so the rows are made again
    when a later test needs them.
    """
    seed = import_module("register.migrations.0002_seed_organisation").SEED
    organisation, _created = Organisation.objects.get_or_create(pk=Organisation.SINGLETON_ID, defaults=seed)
    # The VAT rates come from a data migration too, and go with the same flush.
    import_module("billing.migrations.0002_vat_rates").create(django_apps, None)
    import_module("consents.migrations.0002_purposes").create(django_apps, None)
    import_module("privacy.migrations.0002_first_notice").create(django_apps, None)
    return organisation


@pytest.fixture
def seller(organisation):
    """Return the organisation with the seller details an invoice needs."""
    organisation.business_id = "0112038-9"
    organisation.vat_number = "FI01120389"
    organisation.iban = "FI2112345600000785"
    organisation.bic = "NDEAFIHH"
    organisation.save()
    return organisation


class Visitors:
    """The visitors a view is tested with: anonymous, staff without and with a permission, a superuser.

    The permitted staff member sees the whole register in full (as the owner and the privacy handler
    do) besides the permissions given; what a coach or the bookkeeper sees has its own tests.
    """

    def __init__(self, permissions=()):
        self.staff = UserFactory(is_staff=True)
        self.permitted = UserFactory(is_staff=True)
        for codename in ("register.view_all_people", "register.view_person_details", *permissions):
            app_label, codename = codename.split(".")
            self.permitted.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        self.superuser = UserFactory(is_staff=True, is_superuser=True)

    def log_in(self, client, visitor):
        if visitor != "anonymous":
            sign_in(client, getattr(self, visitor))


@pytest.fixture
def visitors(db):
    return Visitors


# Browser tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Start headless Chromium once per session; without it skip, or fail when REQUIRE_BROWSER is set."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "Playwright is not installed (pip install -e '.[dev]')"
    if reason:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Browser tests are required but cannot run: {reason}")
        pytest.skip(f"Browser tests skipped: {reason}")

    # Playwright's synchronous API keeps an event loop running in this thread while the browser is
    # open, and Django refuses ORM calls from a thread with a running loop. The tests' ORM calls are
    # ordinary synchronous code (the loop only waits for the browser), so the guard is lifted here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, organisation):
    """Return a fresh browser page whose relative URLs go to the live test server."""
    context = browser.new_context(base_url=live_server.url, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
