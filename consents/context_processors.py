from django.conf import settings

from consents.views import cookie_choice, give_csrf_cookie


def cookie_consent(request):
    """Tell templates which trackers the visitor allowed, and whether to show the cookie banner."""
    choice = cookie_choice(request)
    if choice is None:
        # The banner's script posts the choice with the token from the CSRF cookie (its form holds none, the
        # notice page being cached): a page that shows the banner sets the cookie.
        give_csrf_cookie(request)
    return {
        "cookie_choice": choice,
        "show_cookie_banner": choice is None,
        "google_tag_id": settings.GOOGLE_TAG_ID if choice and choice.analytics else "",
        "meta_pixel_id": settings.META_PIXEL_ID if choice and choice.marketing else "",
    }
