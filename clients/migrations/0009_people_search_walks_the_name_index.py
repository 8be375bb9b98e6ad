"""The people list's ordering index carries the email and phone too (on PostgreSQL; elsewhere it is the
same index as before): a broad search walks it in name order, tests each entry without visiting the
table, and stops at the page's last match. The new index is built before the old one goes, so that the
list always has one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clients", "0008_email_hmac")]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["last_name", "first_name", "id"],
                include=("email", "phone"),
                name="clients_client_name_search_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="client", name="clients_client_name_id_idx"),
    ]
