"""Logging staff in through the real login pages: the password, then the authenticator app's code."""

from django.contrib.auth import get_user_model

from tests.auth import authenticator, current_code


def log_in(page, username, *, start="/admin/login/"):
    """Log in as the user through both steps, as a staff member with their phone would."""
    device = authenticator(get_user_model().objects.get(username=username))
    page.goto(start)
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill("correct horse battery staple")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.locator("input[name=code]").fill(current_code(device))
    page.locator("input[type=submit]").click()
