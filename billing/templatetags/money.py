"""The ``euros`` filter: an amount in a template, rounded half up to the cent (billing.money)."""

from django import template

from billing.money import format_money

register = template.Library()


@register.filter
def euros(value) -> str:
    """Return "1 234,57 €" for 1234.565; never a truncated figure, as ``floatformat`` would print."""
    return format_money(value)
