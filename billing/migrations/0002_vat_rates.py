"""The Finnish VAT rates, with the dates they have been in force.

General rate 24 % until 31 August 2024, 25.5 % from 1 September 2024. Sports and exercise services were
in the 10 % category until the end of 2024, in the 14 % category during 2025, and in the 13.5 % category
from 1 January 2026. The 10 % category (books, medicines, passenger transport ...) and 0 %.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

RATES = [
    ("general", "24.00", date(2013, 1, 1), date(2024, 8, 31)),
    ("general", "25.50", date(2024, 9, 1), None),
    ("sports", "10.00", date(2013, 1, 1), date(2024, 12, 31)),
    ("sports", "14.00", date(2025, 1, 1), date(2025, 12, 31)),
    ("sports", "13.50", date(2026, 1, 1), None),
    ("reduced", "10.00", date(2013, 1, 1), None),
    ("zero", "0.00", date(2013, 1, 1), None),
]


def create(apps, schema_editor):
    VatRate = apps.get_model("billing", "VatRate")
    for category, rate, valid_from, valid_until in RATES:
        VatRate.objects.get_or_create(
            category=category, valid_from=valid_from, defaults={"rate": Decimal(rate), "valid_until": valid_until}
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
