"""Signing staff in: Django's own model backend, reading the staff profile along with the account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's ModelBackend, with the user's staff profile read in the same query as the user.

    Every signed-in page needs the profile (the confidentiality agreement, "log out everywhere"):
    joined to the account it costs no query of its own.
    """

    def get_user(self, user_id):
        model = get_user_model()
        user = model._default_manager.select_related("staff_profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
