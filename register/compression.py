"""Compress the pages of visitors who are not signed in: the ones that cannot leak what they hold.

Compression lets an eavesdropper who can also make a victim's browser send requests guess a secret
that a page holds next to something the attacker wrote into it (the BREACH attack): each right guess
makes the compressed page a little shorter. Django takes two of these secrets off the table: the CSRF
token is masked afresh in every response, and ``GZipMiddleware`` writes up to 100 random bytes into
each gzip header, so lengths vary between identical pages ("Heal the Breach"). Neither protects
personal data: a back-office page can show people's names, addresses and notes next to what a request
puts in it (the search box shows its query string, the change form its ``_changelist_filters``, a
message the address of a missing record), and random padding only makes the attack cost more requests.

So only the public pages are compressed here. They hold no one's personal data and no secret but the
masked CSRF token; what a visitor posts comes back only to that visitor, since a cross-site post fails
the CSRF check. A back-office view that shows no request input next to personal data may compress
itself with Django's ``gzip_page`` (the calendar does). Only text is compressed: files such as an
access package's zip are compressed already.
"""

from django.middleware.gzip import GZipMiddleware


class PublicPagesGZipMiddleware(GZipMiddleware):
    """Compress text responses to visitors who are not signed in, with Django's BREACH mitigations."""

    def process_response(self, request, response):
        user = getattr(request, "user", None)  # absent when a middleware before authentication answered
        if user is None or user.is_authenticated or not response.get("Content-Type", "").startswith("text/"):
            return response
        return super().process_response(request, response)
