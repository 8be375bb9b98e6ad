"""Personal data held by the register app: the organisation's contact person for register matters."""

from django.utils.translation import gettext_lazy as _

from register.declarations import Keep, Retention, by_email, declare
from register.models import Organisation

declare(
    Organisation,
    category=_("Contact person for register matters"),
    find=by_email("contact_email"),
    export=(
        "contact_name",
        "contact_phone",
        "contact_email",
        "contact_street_address",
        "contact_postal_code",
        "contact_city",
    ),
    erasure=Keep(
        reason=_(
            "The privacy notice must name the controller's contact person (GDPR article 13(1)(a) and "
            "(b)); the details are kept while the person holds that role and replaced when it passes on."
        ),
    ),
    retention=Retention(_("While the person is the contact person for register matters.")),
)
