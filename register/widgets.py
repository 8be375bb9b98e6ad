"""Form widgets that render long lists of choices without a template per option."""

import html

from django import forms
from django.forms.renderers import DjangoTemplates
from django.templatetags.static import static
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext


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


# A field's list of errors, as Django writes it (default.html only includes ul.html).
_ERROR_LIST_TEMPLATES = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})

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
    own (``tests/register/test_widgets.py`` renders widgets of every kind both ways), and so is that of
    the admin's wrapper of a select of related records (its change, add, delete and view links), of a
    field's label and of a field's list of errors when it has none (the person page wrote seventy empty
    lists through the template engine); every other template (selects, lists of errors, whole forms) is
    rendered by Django as before.
    """

    def render(self, template_name, context, request=None):
        if template_name == "admin/widgets/related_widget_wrapper.html" and isinstance(context, dict):
            return self._related_widget_wrapper(context)
        if template_name in _ERROR_LIST_TEMPLATES and isinstance(context, dict) and not context.get("errors"):
            return ""  # a field without errors: the templates' {% if errors %} writes nothing
        if template_name == "django/forms/label.html" and isinstance(context, dict):
            # {% if use_tag %}<{{ tag }}{% include 'django/forms/attrs.html' %}>{{ label }}</{{ tag }}>...
            label = _text(context.get("label", ""))
            if not context.get("use_tag"):
                return label.strip()  # the renderer strips what a template writes
            tag = _text(context.get("tag", ""))
            return f"<{tag}{_attributes(context.get('attrs') or {})}>{label}</{tag}>"
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

    # The links of related_widget_wrapper.html, as its {% spaceless %} leaves them: (the flag that shows
    # the link, its id, the attribute holding its address, the address and its parameters, whether it
    # opens a popup, the title's message, the icon).
    _RELATED_LINKS = (
        ("can_change_related", "change", "data-href-template", "change_related_template_url", "url_params",
         True, "Change selected %(model)s", "admin/img/icon-changelink.svg"),
        ("can_add_related", "add", "href", "add_related_url", "url_params", True, "Add another %(model)s",
         "admin/img/icon-addlink.svg"),
        ("can_delete_related", "delete", "data-href-template", "delete_related_template_url", "url_params", True,
         "Delete selected %(model)s", "admin/img/icon-deletelink.svg"),
        ("can_view_related", "view", "data-href-template", "change_related_template_url", "view_related_url_params",
         False, "View selected %(model)s", "admin/img/icon-viewlink.svg"),
    )  # fmt: skip

    @classmethod
    def _related_widget_wrapper(cls, context) -> str:
        """Write the admin's related_widget_wrapper.html for ``context``, as the template writes it."""
        links = []
        if not context.get("is_hidden"):
            name, model = _text(context.get("name", "")), _text(context.get("model", ""))
            for flag, action, attribute, address, parameters, popup, title, icon in cls._RELATED_LINKS:
                if not context.get(flag):
                    continue
                # The view link's lines are indented by one more space in the template.
                indent = "\n             " if action == "view" else "\n            "
                url = f"{_text(context.get(address, ''))}?{_text(context.get(parameters, ''))}"
                address_attribute = f'{indent}{attribute}="{url}"'
                popup_attribute = f'{indent}data-popup="yes"' if popup else ""
                # The add link names its popup before its address, the others after.
                attributes = (
                    popup_attribute + address_attribute if action == "add" else address_attribute + popup_attribute
                )
                links.append(
                    f'<a class="related-widget-wrapper-link {action}-related" id="{action}_id_{name}"{attributes}'
                    f'{indent}title="{gettext(title) % {"model": model}}">'
                    f'<img src="{_text(static(icon))}" alt="" width="24" height="24"></a>'
                )
        reference = (
            "" if context.get("model_has_limit_choices_to") else f'data-model-ref="{_text(context["model_name"])}"'
        )
        return (
            f'<div class="related-widget-wrapper" {reference}>\n    {_text(context["rendered_widget"])}\n    \n'
            f"        {''.join(links)}\n    \n</div>"
        )
