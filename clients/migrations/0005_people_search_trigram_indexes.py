"""On PostgreSQL, trigram indexes for searching people by any part of a name, an email or a phone number.

The people list searches with ``icontains`` (``UPPER(col) LIKE UPPER('%text%')``) on the names and the
email, and with ``contains`` (``phone::text LIKE '%digits%'``) on the phone. A B-tree cannot answer a
match in the middle of a value; a GIN index of trigrams (pg_trgm) can, when it is built on the very
expression the query uses. On other databases this migration does nothing: SQLite scans, which is
fine for the registers it is used for.
"""

from django.db import migrations

INDEXES = {
    "clients_client_first_name_trgm": "UPPER(first_name) gin_trgm_ops",
    "clients_client_last_name_trgm": "UPPER(last_name) gin_trgm_ops",
    "clients_client_email_trgm": "UPPER(email) gin_trgm_ops",
    "clients_client_phone_trgm": "phone gin_trgm_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: the database's owner may create it (PostgreSQL 13 and later).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clients_client USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_field_history")]

    operations = [migrations.RunPython(create, drop)]
