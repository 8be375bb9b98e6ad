"""Bilingual fields: a value stored as name_fi and name_en, read in the active language."""

from django.utils import translation


def in_language(obj, name: str) -> str:
    """Return ``obj.<name>_en`` when English is active, else ``obj.<name>_fi`` (Finnish is the default)."""
    suffix = "en" if translation.get_language() == "en" else "fi"
    return getattr(obj, f"{name}_{suffix}")
