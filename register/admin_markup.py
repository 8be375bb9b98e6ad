"""Parts of a back-office list page written in Python: the table of results, the filters, the action bar.

Each part is on every list page and was written by the template engine from a loop of tags per column,
per filter choice or per form widget: together about a third of a list page's time. Here they are
written directly, with every word translated once a page. The markup is the admin's own
(``tests/register/test_list_rows.py`` renders every list of the back office both ways and compares
the two); a list with form fields in its rows (``list_editable``) or a filter with a template of its
own is left to the admin.
"""

from __future__ import annotations

from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_headers
from django.template.defaultfilters import iriencode
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

from register.admin_rows import ColumnPlan, _escaped

ADMINS_FILTER_TEMPLATE = "admin/filter.html"


def _capfirst(value) -> str:
    """Return ``{{ value|capfirst }}`` as the template writes it: capitalised, escaped unless safe."""
    text = str(value)
    shown = text[:1].upper() + text[1:]
    return shown if isinstance(text, SafeData) else _escaped(shown)


def _header(header: dict, sorted_fields: int, words: dict) -> str:
    sorting = ""
    if header["sortable"] and header.get("sort_priority", 0) > 0:
        priority = ""
        if sorted_fields > 1:
            # A blocktranslate: the translation as it is, its value escaped.
            title = _("Sorting priority: %(priority_number)s") % {"priority_number": header["sort_priority"]}
            priority = f'<span class="sortpriority" title="{title}">{header["sort_priority"]}</span>'
        direction = "ascending" if header["ascending"] else "descending"
        sorting = (
            f'<div class="sortoptions"><a class="sortremove" href="{_escaped(header["url_remove"])}" '
            f'title="{words["remove"]}"></a>{priority}<a href="{_escaped(header["url_toggle"])}" '
            f'class="toggle {direction}" title="{words["toggle"]}"></a></div>'
        )
    text = _capfirst(header["text"])
    label = f'<a href="{_escaped(header["url_primary"])}">{text}</a>' if header["sortable"] else f"<span>{text}</span>"
    return (
        f'<th scope="col"{header["class_attrib"]}>{sorting}<div class="text">{label}</div>'
        '<div class="clear"></div></th>'
    )


def results_table(cl) -> SafeString:
    """Return what the admin's ``{% result_list cl %}`` writes, for a list without form fields in its rows."""
    plan = ColumnPlan(cl)
    rows = [plan.row(result) for result in cl.result_list]
    if not rows:
        return mark_safe("")
    headers = list(result_headers(cl))
    sorted_fields = sum(1 for header in headers if header["sortable"] and header["sorted"])
    words = {"remove": _escaped(_("Remove from sorting")), "toggle": _escaped(_("Toggle sorting"))}
    head = "".join(_header(header, sorted_fields, words) for header in headers)
    body = "\n".join(f"<tr>{row}</tr>" for row in rows)
    # Every value in the markup was escaped above, or came marked safe from the admin.
    return mark_safe(  # noqa: S308
        f'<div class="results">\n<table id="result_list">\n<thead>\n<tr>{head}</tr>\n</thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>\n</div>\n"
    )


def _filter(cl, spec) -> str:
    if spec.template != ADMINS_FILTER_TEMPLATE:
        return admin_list_filter(cl, spec)
    items = []
    for choice in spec.choices(cl):
        # As the template: a key a filter's choice leaves out is empty.
        selected = ' class="selected"' if choice.get("selected") else ""
        link = _escaped(iriencode(choice.get("query_string", "")))
        items.append(f'<li{selected}><a href="{link}">{_escaped(choice.get("display", ""))}</a></li>')
    title = _escaped(spec.title)
    summary = _(" By %(filter_title)s ") % {"filter_title": title}  # a blocktranslate, as above
    return f'<details data-filter-title="{title}" open><summary>{summary}</summary><ul>{"".join(items)}</ul></details>'


def filters_panel(cl) -> SafeString:
    """Return what the admin's change list writes in its ``filters`` block: the side panel of filters."""
    if not cl.has_filters:
        return mark_safe("")
    extra = ""
    if cl.is_facets_optional or cl.has_active_filters:
        if cl.is_facets_optional:
            link, kind, word = (
                (cl.remove_facet_link, "hidelink", _("Hide counts"))
                if cl.add_facets
                else (cl.add_facet_link, "viewlink", _("Show counts"))
            )
            extra += f'<h3><a href="{_escaped(link)}" class="{kind}">{_escaped(word)}</a></h3>'
        if cl.has_active_filters:
            clear = _escaped(_("Clear all filters"))
            extra += f'<h3><a href="{_escaped(cl.clear_all_filters_qs)}">&#10006; {clear}</a></h3>'
        extra = f'<div id="changelist-filter-extra-actions">{extra}</div>'
    specs = "".join(_filter(cl, spec) for spec in cl.filter_specs)
    # Every value in the markup was escaped above, or written by the admin's own filter template.
    return mark_safe(  # noqa: S308
        '<nav id="changelist-filter" aria-labelledby="changelist-filter-header">'
        f'<h2 id="changelist-filter-header">{_escaped(_("Filter"))}</h2>{extra}{specs}</nav>'
    )
