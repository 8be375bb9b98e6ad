"""Tags for the frame of every back-office page."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _model_row(app, model, current_path: str, show_changelinks: bool):
    model_name = model["object_name"].lower()
    label = f"{app['app_label']}-{model_name}"
    admin_url, add_url = model.get("admin_url"), model.get("add_url")
    current = bool(admin_url) and admin_url in current_path
    if admin_url:
        name = format_html(
            '<a href="{}"{}>{}</a>', admin_url, mark_safe(' aria-current="page"') if current else "", model["name"]
        )
    else:
        name = format_html("{}", model["name"])
    cells = [
        format_html('<td><a href="{}" class="addlink" aria-describedby="{}">{}</a></td>', add_url, label, _("Add"))
        if add_url
        else mark_safe("<td></td>")
    ]
    if show_changelinks:
        if not admin_url:
            cells.append(mark_safe("<td></td>"))
        elif model.get("view_only"):
            cells.append(
                format_html('<td><a href="{}" class="viewlink" aria-describedby="{}">{}</a></td>', admin_url, label,
                            _("View"))
            )  # fmt: skip
        else:
            cells.append(
                format_html('<td><a href="{}" class="changelink" aria-describedby="{}">{}</a></td>', admin_url,
                            label, _("Change"))
            )  # fmt: skip
    return format_html(
        '<tr class="model-{}{}"><th scope="row" id="{}">{}</th>{}</tr>',
        model_name,
        " current-model" if current else "",
        label,
        name,
        mark_safe("".join(cells)),  # noqa: S308 - each cell was built by format_html
    )


@register.simple_tag(takes_context=True)
def app_list_tables(context, app_list, show_changelinks=False):
    """Write the admin's list of apps and models (its ``admin/app_list.html``) in Python.

    The list is on every back-office page, in the side bar: through the template it took about five
    milliseconds a page, a loop of a dozen tags for each of some thirty models. The markup is the
    admin's own (``tests/register/test_list_rows.py`` compares the two).
    """
    if not app_list:
        return format_html("<p>{}</p>", _("You don’t have permission to view or edit anything."))
    request = context.get("request")
    current_path = quote(request.path) if request is not None else ""
    head = format_html(
        '<thead class="visually-hidden"><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        "</tr></thead>",
        _("Model name"),
        _("Add link"),
        _("Change or view list link"),
    )
    apps = []
    for app in app_list:
        rows = format_html_join(
            "", "{}", ((_model_row(app, model, current_path, show_changelinks),) for model in app["models"])
        )
        apps.append(
            format_html(
                '<div class="app-{} module{}"><table><caption><a href="{}" class="section" title="{}">{}</a>'
                "</caption>{}{}</table></div>",
                app["app_label"],
                " current-app" if app["app_url"] in current_path else "",
                app["app_url"],
                _("Models in the %(name)s application") % {"name": app["name"]},
                app["name"],
                head,
                rows,
            )
        )
    return mark_safe("".join(apps))  # noqa: S308 - each part was built by format_html
