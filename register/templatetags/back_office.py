"""Tags for the frame of every back-office page."""

import html
from urllib.parse import quote

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _text(value) -> str:
    return html.escape(str(value))


def _model_row(app, model, current_path: str, show_changelinks: bool, words: dict) -> str:
    model_name = _text(model["object_name"].lower())
    label = f"{_text(app['app_label'])}-{model_name}"
    admin_url, add_url = model.get("admin_url"), model.get("add_url")
    current = bool(admin_url) and admin_url in current_path
    if admin_url:
        marker = ' aria-current="page"' if current else ""
        name = f'<a href="{_text(admin_url)}"{marker}>{_text(model["name"])}</a>'
    else:
        name = _text(model["name"])
    cells = (
        f'<td><a href="{_text(add_url)}" class="addlink" aria-describedby="{label}">{words["add"]}</a></td>'
        if add_url
        else "<td></td>"
    )
    if show_changelinks:
        if not admin_url:
            cells += "<td></td>"
        else:
            kind, word = ("viewlink", words["view"]) if model.get("view_only") else ("changelink", words["change"])
            cells += f'<td><a href="{_text(admin_url)}" class="{kind}" aria-describedby="{label}">{word}</a></td>'
    return (
        f'<tr class="model-{model_name}{" current-model" if current else ""}">'
        f'<th scope="row" id="{label}">{name}</th>{cells}</tr>'
    )


@register.simple_tag(takes_context=True)
def app_list_tables(context, app_list, show_changelinks=False):
    """Write the admin's list of apps and models (its ``admin/app_list.html``) in Python.

    The list is on every back-office page, in the side bar: through the template it took about five
    milliseconds a page, a loop of a dozen tags for each of some thirty models. The markup is the
    admin's own (``tests/register/test_list_rows.py`` compares the two).
    """
    if not app_list:
        return mark_safe(f"<p>{_text(_('You don’t have permission to view or edit anything.'))}</p>")  # noqa: S308
    request = context.get("request")
    current_path = quote(request.path) if request is not None else ""
    words = {key: _text(word) for key, word in (("add", _("Add")), ("view", _("View")), ("change", _("Change")))}
    head = (
        '<thead class="visually-hidden"><tr>'
        f'<th scope="col">{_text(_("Model name"))}</th><th scope="col">{_text(_("Add link"))}</th>'
        f'<th scope="col">{_text(_("Change or view list link"))}</th></tr></thead>'
    )
    apps = []
    for app in app_list:
        rows = "".join(_model_row(app, model, current_path, show_changelinks, words) for model in app["models"])
        title = _("Models in the %(name)s application") % {"name": app["name"]}
        current_app = " current-app" if app["app_url"] in current_path else ""
        apps.append(
            f'<div class="app-{_text(app["app_label"])} module{current_app}">'
            f'<table><caption><a href="{_text(app["app_url"])}" class="section" title="{_text(title)}">'
            f"{_text(app['name'])}</a></caption>{head}{rows}</table></div>"
        )
    # Every value in the markup was escaped above.
    return mark_safe("".join(apps))  # noqa: S308
