from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Backup and restore of the whole register (the commands ``backup`` and ``restore``).

    The app sits on top of every other one: a restore erases again whoever the privacy app's erasure
    journal names after the archive was made. Nothing imports it, and it has no models or pages.
    """

    name = "ops"
