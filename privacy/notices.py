"""Publishing the privacy notice: the completeness check of GDPR article 13, versions, the record of processing."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import NoticeItem, NoticeVersion
from register.declarations import declarations
from register.models import Organisation

BILINGUAL_TEXTS = {
    "register_name": _("the name of the register"),
    "rights": _("the rights and how to use them (articles 15–22)"),
    "withdrawal": _("the right to withdraw a consent (article 13(2)(c))"),
    "complaint": _("the right to complain to the Data Protection Ombudsman (article 13(2)(d))"),
    "requirement": _("whether providing the data is required and what follows if not (article 13(2)(e))"),
    "automated_decisions": _("automated decision-making, also when there is none (article 13(2)(f))"),
    "security": _("the security principles"),
}
REQUIRED_KINDS = {
    NoticeItem.Kind.PURPOSE: _("the purposes of processing (article 13(1)(c))"),
    NoticeItem.Kind.CATEGORY: _("the categories of data"),
    NoticeItem.Kind.SOURCE: _("the sources of data"),
    NoticeItem.Kind.RECIPIENT: _("the recipients (article 13(1)(e))"),
}


def missing_items(notice: NoticeVersion) -> list[str]:
    """Return, in words, what GDPR article 13 asks of a notice and this version lacks."""
    missing = []
    organisation = Organisation.current()
    if organisation is None or not ((organisation.name and organisation.email) or organisation.contact_email):
        missing.append(_("the controller's identity and contact details (article 13(1)(a))"))
    if organisation is None or not (organisation.contact_name and organisation.contact_email):
        missing.append(_("the contact person for register matters (article 13(1)(b))"))
    for name, label in BILINGUAL_TEXTS.items():
        if not (getattr(notice, f"{name}_fi").strip() and getattr(notice, f"{name}_en").strip()):
            missing.append(str(label))
    items = list(notice.items.all())
    for kind, label in REQUIRED_KINDS.items():
        if not [item for item in items if item.kind == kind]:
            missing.append(str(label))
    for item in items:
        try:
            item.clean()
        except ValidationError as error:
            missing.append(f"{item.title_fi}: {' '.join(error.messages)}")
        if not (item.title_fi.strip() and item.title_en.strip()):
            missing.append(_("%(item)s: a title in both languages") % {"item": item.title_fi or item.title_en})
    if not declarations():
        missing.append(_("the retention periods (article 13(2)(a))"))
    return missing


@transaction.atomic
def publish_notice(
    *, notice: NoticeVersion, on: date | None = None, confirm_incomplete: bool = False
) -> NoticeVersion:
    """Publish a draft; an incomplete one only with an explicit confirmation."""
    notice = NoticeVersion.objects.select_for_update().get(pk=notice.pk)
    if notice.is_published:
        raise ValidationError(_("This version is published already."))
    missing = missing_items(notice)
    if missing and not confirm_incomplete:
        raise ValidationError(_("The notice lacks: %(missing)s.") % {"missing": "; ".join(missing)})
    notice.status = NoticeVersion.Status.PUBLISHED
    notice.published_on = on or timezone.localdate()
    notice.save(publishing=True)
    return notice


@transaction.atomic
def new_version(*, source: NoticeVersion) -> NoticeVersion:
    """Return a new draft copying ``source`` with its items, for the owner to change and publish."""
    number = (NoticeVersion.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    items = list(source.items.all())
    draft = NoticeVersion.objects.get(pk=source.pk)
    draft.pk, draft.number, draft.status, draft.published_on = None, number, NoticeVersion.Status.DRAFT, None
    draft.save()
    for item in items:
        item.pk, item.notice = None, draft
        item.save()
    return draft


def retention_rules() -> list[dict]:
    """Return the retention rule of every category of personal data, from the apps' declarations.

    The notice shows these, so that what it promises and what the purge does cannot disagree.
    """
    return [{"category": str(d.category), "retention": str(d.retention.description)} for d in declarations()]


def processing_record(notice: NoticeVersion) -> list[dict]:
    """Return the record of processing activities (GDPR article 30) from a notice: one row per purpose."""
    organisation = Organisation.current()
    items = list(notice.items.all())
    join = "; ".join
    return [
        {
            "controller": organisation.name if organisation else "",
            "contact": f"{organisation.contact_name} <{organisation.contact_email}>" if organisation else "",
            "purpose": item.title_fi,
            "legal_basis": item.get_legal_basis_display(),
            "categories_of_data": join(i.title_fi for i in items if i.kind == NoticeItem.Kind.CATEGORY),
            "recipients": join(i.title_fi for i in items if i.kind == NoticeItem.Kind.RECIPIENT),
            "transfers": join(f"{i.title_fi} ({i.safeguard_fi})" for i in items if i.kind == NoticeItem.Kind.TRANSFER),
            "retention": join(f"{r['category']}: {r['retention']}" for r in retention_rules()),
            "security": notice.security_fi,
        }
        for item in items
        if item.kind == NoticeItem.Kind.PURPOSE
    ]


def version_in_force() -> int | None:
    """Return the number of the published notice in force, for records of who was shown what."""
    current = NoticeVersion.objects.current()
    return current.number if current else None
