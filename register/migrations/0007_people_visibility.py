"""What each staff role sees of people: the whole register or own clients, full records or billing details.

The roles are the groups of privacy migration 0006. The owner and the privacy handler see everyone in
full; the bookkeeper sees everyone's name and billing address only; a coach sees their own clients in full.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Omistaja (owner)": ["view_all_people", "view_person_details"],
    "Tietosuojavastaava (privacy handler)": ["view_all_people", "view_person_details"],
    "Kirjanpitäjä (bookkeeper)": ["view_all_people"],
    "Valmentaja (coach)": ["view_person_details"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("register")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="register", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("register", "0006_staff_profiles"),
        ("privacy", "0006_staff_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="staffprofile",
            options={
                "permissions": [
                    ("view_all_people", "Can see every person in the register, not only own clients"),
                    ("view_person_details", "Can see a person's full record, not only name and billing address"),
                ],
                "verbose_name": "staff profile",
                "verbose_name_plural": "staff profiles",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
