"""Personal data held by the register app: the contact person, and the back office's change log."""

from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext_lazy as _

from register.declarations import Anonymise, Keep, Retention, by_email, declare, logged_about
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

# The back office's change log names the rows it records ("Virtanen, Matti" changed by whom, when).
declare(
    LogEntry,
    category=_("Change history of the back office"),
    find=logged_about(),
    export=("action_time", "object_repr", "action_flag", "change_message"),
    erasure=Anonymise(fields={"object_repr": "-", "change_message": ""}),
    retention=Retention(_("As long as the row whose changes it records.")),
)
