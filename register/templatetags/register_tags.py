from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

from register.translation import in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """Return, for each language, its code, its own name and this page's address in that language."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(path, code),
        }
        for code, _name in settings.LANGUAGES
    ]


@register.filter
def localized(obj, name):
    """Show a bilingual field in the page's language: {{ item|localized:"title" }}."""
    return in_language(obj, name)
