"""On PostgreSQL, let the database itself refuse overlapping appointments of one coach or one client.

An exclusion constraint over the time range [starts_at, ends_at) of active appointments: touching ends
(10:00–11:00 and 11:00–12:00) do not overlap. It needs the btree_gist extension for the equality on the
coach and client ids. On other databases this migration does nothing; model validation and the
booking service guard the rule there.
"""

from django.db import migrations

ACTIVE = "('booked', 'confirmed', 'attended', 'no_show')"

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE bookings_appointment ADD CONSTRAINT bookings_appointment_no_coach_overlap
        EXCLUDE USING gist (coach_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN {ACTIVE})""",
    f"""ALTER TABLE bookings_appointment ADD CONSTRAINT bookings_appointment_no_client_overlap
        EXCLUDE USING gist (client_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN {ACTIVE} AND client_id IS NOT NULL)""",
]
DROP = [
    "ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS bookings_appointment_no_client_overlap",
    "ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS bookings_appointment_no_coach_overlap",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
