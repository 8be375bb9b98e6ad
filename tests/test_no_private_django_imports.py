"""The project imports no private name of Django: it extends the framework only through documented hooks.

A private name is a module or a name starting with an underscore anywhere under ``django``, and anything
from the admin's template-tag modules (``django.contrib.admin.templatetags``), whose helpers are the
admin templates' internals, not an API. Every import counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from tests.test_dependency_direction import ROOT, project_files

ADMIN_TEMPLATE_TAGS = "django.contrib.admin.templatetags"


def private_django_imports(source: str) -> Iterator[tuple[int, str]]:
    """Yield the line and the dotted name of every private Django module or name that ``source`` imports."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_private(alias.name):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                if _is_private(name):
                    yield node.lineno, name


def _is_private(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "django":
        return False
    return any(part.startswith("_") for part in parts) or (name + ".").startswith(ADMIN_TEMPLATE_TAGS + ".")


def test_no_project_file_imports_a_private_django_name():
    found = {
        f"{path.relative_to(ROOT)}:{line}: {name}": str(path.relative_to(ROOT))
        for path in project_files()
        for line, name in private_django_imports(path.read_text())
    }
    assert list(found) == []


# The checker itself, on small examples -------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from django.contrib.admin.templatetags.admin_list import _boolean_icon",
        "from django.contrib.admin.templatetags.admin_list import items_for_result",
        "from django.contrib.admin.templatetags.admin_urls import add_preserved_filters",
        "from django.contrib.admin.templatetags import admin_list",
        "import django.contrib.admin.templatetags.admin_modify",
        "from django.utils._os import safe_join",
        "import django.db.models.sql._private as private",
        "from django.forms.boundfield import _private_helper",
        "def render():\n    from django.contrib.admin.templatetags.admin_list import result_headers\n",
    ],
)
def test_it_finds_a_private_django_import(source):
    assert len(list(private_django_imports(source))) == 1


def test_it_names_the_line_of_an_import_inside_a_function():
    source = "import django\n\n\ndef icon(value):\n    from django.utils._os import safe_join\n"
    assert list(private_django_imports(source)) == [(5, "django.utils._os.safe_join")]


@pytest.mark.parametrize(
    "source",
    [
        "from django.contrib import admin",
        "from django.contrib.admin import display",
        "from django.templatetags.static import static",
        "from django.contrib.admin.views.main import ChangeList",
        "from django.utils.translation import gettext_lazy as _",
        "from myapp._private import helper",
        "from ._helpers import shared",
    ],
)
def test_it_accepts_public_imports_and_the_projects_own_private_names(source):
    assert list(private_django_imports(source)) == []
