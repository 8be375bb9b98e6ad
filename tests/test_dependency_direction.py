"""Every import of the project runs along the dependency direction of the design.

``register`` is the root and imports no app; ``staff`` sits just above it; ``clients`` is the base of
the domain; ``bookings``, ``billing`` and ``consents`` build on it (``billing`` may use ``bookings``);
``privacy`` may use all of those; ``reports``, ``portal`` and ``ops`` sit on top and nothing imports
them; ``bench`` may use everything and nothing imports it; the tests may import anything. Every import
counts: at module level or inside a function, ``import x`` or ``from x import y``, relative ones
resolved, and ``import_module("x")`` with the name written out. Where a lower app must offer something
upward, it declares it (an extension point that the higher app fills) instead of importing it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Folders that hold no code of the project: environments, collected static files, caches.
NOT_PROJECT = {"node_modules", "staticfiles", "venv", "__pycache__"}

_DOMAIN = {"register", "staff", "clients", "bookings", "billing", "consents", "privacy"}
# What each package of the project may import besides itself (and besides Python, Django and the
# libraries, which this test does not look at).
MAY_IMPORT: dict[str, set[str]] = {
    "register": set(),
    "staff": {"register"},
    "clients": {"register", "staff"},
    "bookings": {"register", "staff", "clients"},
    "consents": {"register", "staff", "clients"},
    "billing": {"register", "staff", "clients", "bookings"},
    "privacy": {"register", "staff", "clients", "bookings", "billing", "consents"},
    "reports": _DOMAIN,
    "portal": _DOMAIN,
    "ops": _DOMAIN,
    # The benchmark uses everything, the tests' sign-in helper too; nothing but the tests imports it.
    "bench": _DOMAIN | {"reports", "portal", "ops", "tests"},
    "tests": _DOMAIN | {"reports", "portal", "ops", "bench"},
    # manage.py, beside the packages: it starts Django with the project's settings.
    "manage": {"register"},
}


def imports_of(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """Yield the line and the full name of every module that ``source`` (the code of ``module``) imports.

    Relative imports are resolved against ``module`` (a package's ``__init__`` when ``is_package``);
    ``from x import y`` yields ``x``, whose first part names the package it comes from.
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join([*base, node.module] if node.module else base)
            else:
                yield node.lineno, node.module or ""
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args:
            name = node.args[0]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                yield node.lineno, name.value


def _is_import_module(function: ast.expr) -> bool:
    return (isinstance(function, ast.Name) and function.id in {"import_module", "__import__"}) or (
        isinstance(function, ast.Attribute) and function.attr == "import_module"
    )


def imports_against_direction(source: str, module: str, *, label: str, is_package: bool = False) -> list[str]:
    """Return ``label:line`` and what is wrong for every import in ``source`` against the direction."""
    package = module.split(".")[0]
    allowed = MAY_IMPORT[package] | {package}
    return [
        f"{label}:{line}: {package} imports {name}, which it may not (it may import: "
        f"{', '.join(sorted(MAY_IMPORT[package])) or 'no app'})"
        for line, name in imports_of(source, module, is_package=is_package)
        if name.split(".")[0] in MAY_IMPORT and name.split(".")[0] not in allowed
    ]


def project_files() -> Iterator[Path]:
    """Yield every Python file of the project, migrations left out (they import nothing of the apps)."""
    for entry in sorted(ROOT.iterdir()):
        if entry.name.startswith(".") or entry.name in NOT_PROJECT:
            continue
        if entry.suffix == ".py":
            yield entry
        elif entry.is_dir():
            for path in sorted(entry.rglob("*.py")):
                parts = path.relative_to(ROOT).parts
                if "migrations" not in parts and not any(
                    part.startswith(".") or part in NOT_PROJECT for part in parts
                ):
                    yield path


def _module_of(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def test_every_package_of_the_project_has_its_place_in_the_direction():
    packages = {path.relative_to(ROOT).with_suffix("").parts[0] for path in project_files()}
    assert packages - set(MAY_IMPORT) == set(), "add each new package to MAY_IMPORT (and to DESIGN.md)"
    assert {"register", "clients", "privacy", "reports", "ops", "bench", "tests"} <= packages


def test_no_import_runs_against_the_dependency_direction():
    found = []
    for path in project_files():
        module, is_package = _module_of(path)
        label = str(path.relative_to(ROOT))
        found += imports_against_direction(path.read_text(), module, label=label, is_package=is_package)
    assert found == []


# The checker itself, on small examples -------------------------------------------------------------


def test_it_reads_imports_inside_functions_and_names_file_and_line():
    source = "from clients.models import Client\n\n\ndef erase():\n    from privacy.erasure import erase_person\n"
    assert imports_against_direction(source, "clients.services", label="clients/services.py") == [
        "clients/services.py:5: clients imports privacy.erasure, which it may not (it may import: register, staff)"
    ]


@pytest.mark.parametrize(
    "source",
    [
        "import reports.views",
        "import json, ops.backups as backups",
        "from bench import generate",
        "from importlib import import_module\nimport_module('portal.views')",
        "import importlib\nimportlib.import_module('reports')",
    ],
)
def test_it_refuses_a_lower_app_importing_a_higher_one(source):
    assert len(imports_against_direction(source, "privacy.models", label="privacy/models.py")) == 1


def test_the_root_imports_no_app_and_nothing_imports_the_top():
    assert imports_against_direction("from clients.models import Client", "register.admin", label="x")
    assert imports_against_direction("from ops.backups import prune", "reports.views", label="x")
    assert imports_against_direction("from bench.scale import Scale", "privacy.demo", label="x")


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from clients.models import Client", "billing.services"),
        ("from bookings.models import Appointment", "billing.services"),
        ("from privacy.erasure import erase", "ops.management.commands.restore"),
        ("from reports.views import dashboard", "tests.reports.test_dashboard"),
        ("from django.db import models\nimport json", "register.models"),
    ],
)
def test_it_accepts_imports_along_the_direction(source, module):
    assert imports_against_direction(source, module, label="x") == []


def test_it_resolves_relative_imports_against_the_module_and_its_package():
    assert list(imports_of("from .models import Client", "clients.services")) == [(1, "clients.models")]
    assert list(imports_of("from ..erasure import erase", "privacy.management.purge")) == [(1, "privacy.erasure")]
    assert list(imports_of("from . import bulk", "bench.scale", is_package=True)) == [(1, "bench.scale")]
    # A relative import stays inside its own package, whatever the names after the dots.
    assert imports_against_direction("from ..reports import views", "clients.admin.lists", label="x") == []
