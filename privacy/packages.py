"""The access package (GDPR article 15): every declared row about the person, as HTML and JSON in a zip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clients.models import Guardian
from privacy.models import AccessPackage, DataRequest, NoticeItem, NoticeVersion
from privacy.notices import retention_rules
from register.declarations import Subject, export

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


def build_package_bytes(request: DataRequest, *, language: str = "fi", portable: bool = False) -> bytes:
    """Return the zip: report.html for reading, data.json for machines, both from the declarations.

    A portability copy (article 20) holds only what the person provided on consent or contract, and adds
    one CSV file per kind of data for other services to read.
    """
    with translation.override(language):
        sections = export(subject_of(request), portable_only=portable)
        notice = NoticeVersion.objects.current()
        information = _article_15_information(notice)
        document = {
            "requested_by": request.name,
            "made_at": timezone.now().isoformat(),
            "about_the_processing": information,
            "data": sections,
        }
        html = render_to_string(
            "privacy/package_report.html",
            {"request": request, "sections": sections, "information": information, "notice": notice},
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.html", html)
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2, default=str))
        if portable:
            for section in sections:
                rows = io.StringIO()
                writer = csv.DictWriter(rows, fieldnames=list(section["fields"]))
                writer.writeheader()
                writer.writerows(
                    {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in row.items()}
                    for row in section["rows"]
                )
                archive.writestr(f"{section['model'].replace('.', '-')}.csv", rows.getvalue())
    return buffer.getvalue()


@transaction.atomic
def make_access_package(
    *, request: DataRequest, base_url: str, send: bool = True, portable: bool = False
) -> tuple[AccessPackage, str]:
    """Build the package, store it privately and (by default) email the requester a download link."""
    language = "en" if request.people.filter(preferred_language="en").exists() else "fi"
    content = build_package_bytes(request, language=language, portable=portable)
    token = secrets.token_urlsafe(32)
    package = AccessPackage(
        request=request,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + LINK_VALID,
        size=len(content),
    )
    package.file.save("package.zip", ContentFile(content), save=False)
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
