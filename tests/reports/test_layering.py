"""The reports app sits on top: no lower app imports it, and it reaches the admin site by the site's hooks."""

import ast
from pathlib import Path

from django.conf import settings
from django.contrib import admin

from reports import views

LOWER_APPS = ["register", "clients", "bookings", "billing", "consents", "privacy"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_lower_app_imports_the_reports_app():
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for app in LOWER_APPS
        for path in (settings.BASE_DIR / app).rglob("*.py")
        if any(name == "reports" or name.startswith("reports.") for name in imported_modules(path))
    ]
    assert offenders == []


def test_the_dashboard_is_plugged_into_the_admin_site_through_its_extension_points():
    assert views.admin_urls in admin.site.url_providers
    assert views.dashboard_context in admin.site.index_providers
    assert admin.site.index_template == "reports/dashboard.html"
