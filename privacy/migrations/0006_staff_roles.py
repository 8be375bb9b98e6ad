"""The staff roles as groups with exact permissions (documented in the README).

The privacy app sits on top of every other app, so its migration can name every permission. A later
migration that adds a model adds its permissions to the roles the same way.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ("view",)
EDIT = ("view", "add", "change")

ROLES = {
    "Valmentaja (coach)": {
        "clients": {"client": EDIT, "guardian": EDIT, "staffnote": ("view", "add"), "collecteddata": EDIT,
                    "receivedemail": VIEW, "emailattachment": VIEW, "rolechange": VIEW},
        "bookings": {"appointment": EDIT, "appointmentseries": EDIT, "coach": VIEW, "service": VIEW,
                     "location": VIEW, "workinghours": VIEW, "dayoff": EDIT},
        "billing": {"feedback": VIEW},
        "consents": {"consentevent": ("view", "add"), "purpose": VIEW},
    },
    "Kirjanpitäjä (bookkeeper)": {
        "clients": {"client": VIEW, "guardian": VIEW},
        "billing": {"invoice": EDIT + ("issue",), "invoiceline": EDIT + ("delete",), "payment": EDIT,
                    "paymentreminder": VIEW, "paymentimport": VIEW, "vatrate": VIEW},
        "bookings": {"appointment": VIEW, "service": VIEW},
    },
    "Tietosuojavastaava (privacy handler)": {
        "clients": {"client": VIEW + ("export",), "guardian": VIEW},
        "privacy": {"datarequest": EDIT, "requestevent": VIEW, "noticeversion": EDIT, "noticeitem": EDIT + ("delete",),
                    "accesspackage": ("view", "change"), "packagedownload": VIEW, "purgerun": VIEW},
        "consents": {"consentevent": ("view", "add"), "purpose": ("view", "change"), "disclosure": ("view", "add"),
                     "audienceexport": ("view", "add"), "suppressedaddress": VIEW},
    },
}
OWNER = "Omistaja (owner)"


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    owner, _ = Group.objects.get_or_create(name=OWNER)
    owner.permissions.set(Permission.objects.all())
    for role, apps_models in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for app_label, models in apps_models.items():
            for model, actions in models.items():
                for action in actions:
                    name = "issue_invoice" if action == "issue" else f"{action}_{model}"
                    wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=name))
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("privacy", "0005_purge_runs"),
        ("billing", "0004_line_prices_with_vat"),
        ("bookings", "0002_no_overlap_on_postgresql"),
        ("clients", "0003_informed_notice_version"),
        ("consents", "0003_mailchimp_member_outlives_person"),
        ("register", "0005_feedback_requests"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
