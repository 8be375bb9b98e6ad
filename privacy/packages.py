"""The access package (GDPR article 15): every declared row about the person, as HTML and JSON in a zip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import shutil
import tempfile
import zipfile
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from clients.models import Guardian
from privacy.models import AccessPackage, DataRequest, NoticeItem, NoticeVersion
from privacy.notices import retention_rules
from register.declarations import Subject, export_sections

LINK_VALID = timedelta(days=7)


def subject_of(request: DataRequest) -> Subject:
    """Return whom a request is about: the people staff matched to it, and the proven address."""
    people = list(request.people.all())
    # A guardian's own record comes with the minors matched to the request, and no one else's.
    people += list(Guardian.objects.filter(email__iexact=request.email, minor__in=people))
    # The address counts only once proven: verified on the web, or checked by staff who recorded it.
    proven = request.verified_at is not None or request.channel != DataRequest.Channel.WEB
    return Subject(people=tuple(people), emails=(request.email,) if proven else ())


def _article_15_information(notice: NoticeVersion | None) -> dict:
    if notice is None:
        return {}
    items = list(notice.items.all())
    pick = lambda kind: [item.text("title") for item in items if item.kind == kind]  # noqa: E731
    return {
        "purposes": [{"purpose": i.text("title"), "legal_basis": i.get_legal_basis_display()}
                     for i in items if i.kind == NoticeItem.Kind.PURPOSE],
        "recipients": pick(NoticeItem.Kind.RECIPIENT),
        "transfers": pick(NoticeItem.Kind.TRANSFER),
        "sources": pick(NoticeItem.Kind.SOURCE),
        "retention": retention_rules(),
        "rights": notice.text("rights"),
        "complaint": notice.text("complaint"),
        "automated_decisions": notice.text("automated_decisions"),
    }  # fmt: skip


ROWS_MARKER = "@@rows-of-this-section@@"
SECTION_KEYS = ("model", "category", "retention", "fields")


def write_package(request: DataRequest, target: BinaryIO, *, language: str = "fi", portable: bool = False) -> None:
    """Write the zip to ``target``: report.html for reading, data.json for machines, both from the declarations.

    A portability copy (article 20) holds only what the person provided on consent or contract, and adds
    one CSV file per kind of data for other services to read.

    The rows are read a batch at a time and written out as they come: report.html straight into the
    zip, data.json meanwhile into a temporary file and then into the zip, so that memory holds one batch
    whatever the size of the person's record.
    """
    with translation.override(language):
        sections = list(export_sections(subject_of(request), portable_only=portable))
        notice = NoticeVersion.objects.current()
        information = _article_15_information(notice)
        report = render_to_string(
            "privacy/package_report.html",
            {
                "request": request,
                "sections": sections,
                "information": information,
                "notice": notice,
                "rows_marker": ROWS_MARKER,
            },
        )
        head = {
            "requested_by": request.name,
            "made_at": timezone.now().isoformat(),
            "about_the_processing": information,
        }
        with (
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
            tempfile.TemporaryFile("w+", encoding="utf-8") as data,
        ):
            parts = iter(report.split(ROWS_MARKER))
            with archive.open("report.html", "w") as entry, io.TextIOWrapper(entry, encoding="utf-8") as html:
                data.write(_json(head)[:-1] + ', "data": [')  # the object stays open for the sections
                for number, section in enumerate(sections):
                    html.write(next(parts))
                    about = _json({key: getattr(section, key) for key in SECTION_KEYS})
                    data.write(("," if number else "") + "\n" + about[:-1] + ', "rows": [')
                    for index, row in enumerate(section.values()):
                        html.write(_table_row(row))
                        data.write(("," if index else "") + "\n" + _json(row))
                    data.write("]}")
                html.write("".join(parts))
                data.write("]}\n")
            data.seek(0)
            with archive.open("data.json", "w") as entry, io.TextIOWrapper(entry, encoding="utf-8") as text:
                shutil.copyfileobj(data, text)
            if portable:
                for section in sections:
                    _write_csv(archive, section)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _table_row(row: dict) -> str:
    return "<tr>" + "".join(f"<td>{escape('' if value is None else value)}</td>" for value in row.values()) + "</tr>"


def _write_csv(archive: zipfile.ZipFile, section) -> None:
    """Write one kind of the person's data as CSV into the portability copy, a batch of rows at a time."""
    with (
        archive.open(f"{section.model.replace('.', '-')}.csv", "w") as entry,
        io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
    ):
        writer = csv.DictWriter(text, fieldnames=list(section.fields))
        writer.writeheader()
        for row in section.values():
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in row.items()}
            )


def build_package_bytes(request: DataRequest, *, language: str = "fi", portable: bool = False) -> bytes:
    """Return the zip as bytes: for small packages and the tests (``write_package`` writes to a file)."""
    buffer = io.BytesIO()
    write_package(request, buffer, language=language, portable=portable)
    return buffer.getvalue()


@transaction.atomic
def make_access_package(
    *, request: DataRequest, base_url: str, send: bool = True, portable: bool = False
) -> tuple[AccessPackage, str]:
    """Build the package, store it privately and (by default) email the requester a download link."""
    language = "en" if request.people.filter(preferred_language="en").exists() else "fi"
    token = secrets.token_urlsafe(32)
    with tempfile.TemporaryFile() as content:
        # Built in a temporary file and handed to the storage from there: never whole in memory.
        write_package(request, content, language=language, portable=portable)
        package = AccessPackage(
            request=request,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            expires_at=timezone.now() + LINK_VALID,
            size=content.tell(),
        )
        content.seek(0)
        package.file.save("package.zip", File(content, name="package.zip"), save=False)
    package.save()
    url = base_url.rstrip("/") + reverse("privacy:package", args=[token])
    if send:
        with translation.override(language):
            EmailMessage(
                subject=render_to_string("privacy/email/package_subject.txt", {}).strip(),
                body=render_to_string(
                    "privacy/email/package.txt", {"request": request, "url": url, "expires": package.expires_at}
                ),
                to=[request.email],
                from_email=settings.DEFAULT_FROM_EMAIL,
            ).send()
    return package, url


def package_for_token(token: str) -> AccessPackage | None:
    """Return the package a link points to while the link is valid and not revoked."""
    package = AccessPackage.objects.filter(token_hash=hashlib.sha256(token.encode()).hexdigest()).first()
    if package is None or package.revoked_at or package.expires_at < timezone.now() or not package.file:
        return None
    return package
