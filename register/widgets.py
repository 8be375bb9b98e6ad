"""Form widgets that render long lists of choices without a template per option."""

import html

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime


def _text(value) -> str:
    """Return ``value`` as a template writes ``{{ value }}``: escaped unless marked safe."""
    return conditional_escape(value)


def _formatted(value) -> str:
    """Return ``value`` as a template writes ``{{ value|stringformat:'s' }}``: its text, escaped unless safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else html.escape(text)


class QuickSelect(forms.Select):
    """A select that writes its options directly.

    Django renders every option of a select through a template of its own, and before that builds a
    dictionary of attributes for each: the 250 countries of a person's country field took longer than
    all the queries of the person page. Here each option is written straight from the choices. The
    markup is the same as Django's; option groups are written as ``optgroup`` elements.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        has_selected = False
        parts = []
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            options = group_label if grouped else [(group_value, group_label)]
            written = []
            for option_value, option_label in options:
                text = "" if option_value is None else str(option_value)
                # As Django's Select: only the first option with the value is selected.
                selected = (not has_selected or self.allow_multiple_selected) and text in chosen
                has_selected |= selected
                marker = " selected" if selected else ""
                written.append(f'<option value="{_formatted(text)}"{marker}>{_text(option_label)}</option>')
            joined = "".join(written)
            parts.append(f'<optgroup label="{_text(group_value)}">{joined}</optgroup>' if grouped else joined)
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        # As Django's attrs.html: in their order, True as a bare name, False left out.
        written_attrs = "".join(
            f" {_text(key)}" if item is True else f' {_text(key)}="{_formatted(item)}"'
            for key, item in final_attrs.items()
            if item is not False
        )
        # Every label, value and attribute was escaped above.
        return mark_safe(f'<select name="{_text(name)}"{written_attrs}>{"".join(parts)}</select>')  # noqa: S308


# Django's templates of the widgets that are a single <input>: each only includes input.html.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "text", "email", "url", "number", "password", "hidden", "date", "datetime", "time",
        "search", "tel", "color", "checkbox",
    )
)  # fmt: skip


_ADMIN_DATE_AND_TIME = {"admin/widgets/date.html": "date", "admin/widgets/time.html": "time"}


def _attributes(attrs: dict) -> str:
    """Write a widget's attributes as Django's ``attrs.html`` does: in order, True bare, False left out."""
    written = []
    for name, value in attrs.items():
        if value is True:
            written.append(f" {_text(name)}")
        elif value is not False:
            written.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(written)


class QuickFormRenderer(DjangoTemplates):
    """Django's form renderer, writing the plain widgets (inputs and text areas) directly.

    Every text, date, number, email and hidden field of every form is rendered by Django through two
    templates (the widget's, which includes ``input.html``, which includes ``attrs.html``); on the
    person page's form that was a fifth of the page's time. The markup written here is the templates'
    own (``tests/register/test_widgets.py`` renders widgets of every kind both ways); every other
    template (selects, the admin's wrappers, whole forms) is rendered by Django as before.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in _INPUT_TEMPLATES:
                return self._input(widget)
            if template_name in _ADMIN_DATE_AND_TIME:
                # The admin's date.html and time.html: the input in a paragraph, as their includes space it.
                return f'<p class="{_ADMIN_DATE_AND_TIME[template_name]}">\n  {self._input(widget)}\n\n\n</p>'
            if template_name == "django/forms/widgets/textarea.html":
                value = widget["value"]
                # {{ widget.value }}: in local time and the page's number and date formats, escaped.
                text = _text(localize(template_localtime(value))) if value else ""
                return f'<textarea name="{_text(widget["name"])}"{_attributes(widget["attrs"])}>\n{text}</textarea>'
        return super().render(template_name, context, request)

    @staticmethod
    def _input(widget) -> str:
        value = widget["value"]
        shown = "" if value is None else f' value="{_formatted(value)}"'
        return (
            f'<input type="{_text(widget.get("type", ""))}" name="{_text(widget["name"])}"'
            f"{shown}{_attributes(widget['attrs'])}>"
        )
