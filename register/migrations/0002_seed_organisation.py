"""Create the organisation record with the controller and contact person of the original notice."""

from django.db import migrations

SEED = {
    "name": "Liikkuvat Puntit",
    "business_id": "",
    "street_address": "Vestrantie 39",
    "postal_code": "01750",
    "city": "Vantaa",
    "phone": "040 960 1998",
    "email": "sami@liikkuvatpuntit.fi",
    "website": "https://www.liikkuvatpuntit.fi/",
    "contact_name": "Sami Muhonen",
    "contact_phone": "040 960 1998",
    "contact_email": "sami@liikkuvatpuntit.fi",
    "contact_street_address": "Vestrantie 39",
    "contact_postal_code": "01750",
    "contact_city": "Vantaa",
}


def create_organisation(apps, schema_editor):
    Organisation = apps.get_model("register", "Organisation")
    # A database that already has its organisation (edited by the owner) is left as it is.
    Organisation.objects.using(schema_editor.connection.alias).get_or_create(pk=1, defaults=SEED)


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial")]

    operations = [migrations.RunPython(create_organisation, migrations.RunPython.noop)]
