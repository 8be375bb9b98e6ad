"""Rules the consents app adds to data collected with permission (clients.CollectedData)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consents.models import ConsentState, Purpose


def entry_has_its_consent(entry) -> None:
    """Refuse an entry whose purpose is unknown, or health information without its explicit consent."""
    purpose = Purpose.objects.filter(code=entry.purpose_code).first()
    if purpose is None:
        raise ValidationError({"purpose_code": _("No consent purpose has this code.")})
    if entry.is_health and not purpose.is_special_category:
        raise ValidationError({"purpose_code": _("Health information needs a purpose for special-category data.")})
    if entry.is_health and entry.client_id:
        granted = ConsentState.objects.filter(client_id=entry.client_id, purpose=purpose, granted=True).exists()
        if not granted:
            raise ValidationError(
                {"is_health": _("Record the person's explicit consent to health information first.")}
            )
