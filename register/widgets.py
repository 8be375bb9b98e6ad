"""Form widgets that render long lists of choices without a template per option."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A select that writes its options directly.

    Django renders every option of a select through a template of its own: the 250 countries of a
    person's country field took longer than all the queries of the person page. The markup is the same
    as Django's; option groups are written as ``optgroup`` elements.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            written = format_html_join(
                "",
                '<option value="{}"{}{}>{}</option>',
                (
                    (
                        "" if option["value"] is None else str(option["value"]),
                        " selected" if option["selected"] else "",
                        flatatt({k: v for k, v in option["attrs"].items() if k != "selected"}),
                        option["label"],
                    )
                    for option in options
                ),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, written) if group_name else written
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((group,) for group in groups)),
        )
