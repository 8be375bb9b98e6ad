"""A Facebook Custom Audiences file: SHA-256 hashes of normalised addresses of consenting people only."""

import csv
import hashlib
import io

from django.db import transaction

from consents.eligibility import marketable_people
from consents.models import AudienceExport, Purpose

PURPOSE = "facebook_audiences"


def normalised_email_hash(email: str) -> str:
    """Return the hash Meta matches on: SHA-256 of the trimmed, lower-case address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@transaction.atomic
def export_audience(*, exported_by=None) -> tuple[AudienceExport, str]:
    """Return the CSV for Meta and record the export (who, when, whom) as a disclosure."""
    people = marketable_people(PURPOSE)
    export = AudienceExport.objects.create(
        purpose=Purpose.objects.get(code=PURPOSE), created_by=exported_by, count=len(people)
    )
    export.people.set(people)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email"])
    for person in people:
        writer.writerow([normalised_email_hash(person.email)])
    return export, buffer.getvalue()
