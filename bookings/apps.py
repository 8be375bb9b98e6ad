from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Appointments and visits")

    def ready(self):
        from register.signals import staff_access_revoked

        staff_access_revoked.connect(_revoke_calendar_feed, dispatch_uid="bookings.revoke_calendar_feed")


def _revoke_calendar_feed(sender, user, **kwargs):
    """When a staff member's sessions are all ended, their calendar feed address stops working too."""
    from bookings.models import Coach

    Coach.objects.filter(user=user).update(feed_token_hash="", feed_token_created_at=None)
