"""The owner reads the personal-data access log; no role may add, change or delete its entries.

The model has only the "view" permission (its Meta.default_permissions), and the admin refuses the rest
to everyone, superusers included. Migration 0006 gave the owner every permission that existed then;
this one adds the new one the same way.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OWNER = "Omistaja (owner)"


def owner_reads_access_log(apps, schema_editor):
    app_config = apps.get_app_config("privacy")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    owner, _ = Group.objects.get_or_create(name=OWNER)
    owner.permissions.add(Permission.objects.get(content_type__app_label="privacy", codename="view_accesslogentry"))


def forget(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="privacy", codename="view_accesslogentry").first()
    if permission is not None:
        for group in Group.objects.filter(name=OWNER):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("privacy", "0007_access_log"),
    ]

    operations = [migrations.RunPython(owner_reads_access_log, forget)]
