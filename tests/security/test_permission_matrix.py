"""Every back-office URL, requested by every kind of visitor: nobody is shown data they may not see.

The register holds two people: "Olli Omakorpi", coached by the coach under test, and "Vieno Vieraskorpi",
coached by a colleague. Each has an email, a phone, a staff note, a collected-data entry, a received email
with an attachment, an appointment with feedback, an invoice, a consent event and a data request, and
each of those holds a marker string. The test walks every URL the admin site has (lists, add and change
pages, histories, deletions, and the custom pages: calendar, PDFs, downloads, imports, exports), filling
each object id with a row of Vieno's, and asserts per role which markers may never appear in any answer.
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from bookings.models import Appointment
from clients.models import Client
from consents.models import ConsentEvent, Purpose
from consents.services import record_event
from privacy.models import DataRequest
from tests.auth import sign_in
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    CoachFactory,
    CollectedDataFactory,
    EmailAttachmentFactory,
    FeedbackFactory,
    GuardianFactory,
    InvoiceFactory,
    ReceivedEmailFactory,
    StaffNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = {
    "coach": "Valmentaja (coach)",
    "bookkeeper": "Kirjanpitäjä (bookkeeper)",
    "privacy handler": "Tietosuojavastaava (privacy handler)",
    "owner": "Omistaja (owner)",
}
KINDS = [
    "name",
    "email",
    "phone",
    "note",
    "collected",
    "message",
    "attachment",
    "feedback",
    "guardian",
    "restricted",
    "health",
    "appointment",
]


def markers(prefix):
    return {
        "name": f"{prefix}korpi",
        "email": f"{prefix.lower()}.postia@example.invalid",
        # Stored as +3584011122.., shown as +358 40 11122..: the part that both forms share.
        "phone": "11122" + ("33" if prefix == "Vieras" else "44"),
        "note": f"{prefix} muistiinpano salainen",
        "collected": f"{prefix} tavoite salainen",
        "message": f"{prefix} viestin aihe",
        "attachment": f"{prefix} liitteen sisalto",
        "feedback": f"{prefix} palaute sanoin",
        "guardian": f"{prefix}huoltaja",
        "restricted": f"{prefix} rajattu muistiinpano",
        "health": f"{prefix} polvivamma",
        "appointment": f"{prefix} varauksen lisatieto",
    }


OWN, OTHER = markers("Oma"), markers("Vieras")


def person_with_everything(coach, words):
    # The minor first: the person is then the newest row of the people, whose pages the matrix opens.
    GuardianFactory(minor__coach=coach.user, minor__last_name=words["name"], last_name=words["guardian"])
    person = ClientFactory(
        first_name="Henkilo",
        last_name=words["name"],
        email=words["email"],
        phone="+3584011122" + words["phone"][-2:],
        coach=coach.user,
    )
    StaffNoteFactory(client=person, text=words["note"])
    StaffNoteFactory(client=person, text=words["restricted"], restricted=True)
    CollectedDataFactory(client=person, value=words["collected"])
    CollectedDataFactory(client=person, value=words["health"], is_health=True)
    email = ReceivedEmailFactory(client=person, subject=words["message"])
    EmailAttachmentFactory(email=email, file__data=words["attachment"].encode())
    past = timezone.now() - timedelta(days=3)
    appointment = AppointmentFactory(
        client=person, coach=coach.user, status="attended", starts_at=past, ends_at=past + timedelta(hours=1)
    )
    FeedbackFactory(appointment=appointment, comment=words["feedback"])
    # One in the coming days, for the calendar.
    AppointmentFactory(client=person, coach=coach.user, notes=words["appointment"])
    InvoiceFactory(client=person)
    record_event(
        client=person,
        kind=ConsentEvent.Kind.GRANTED,
        channel=ConsentEvent.Channel.IN_PERSON,
        recorded_by=ConsentEvent.RecordedBy.STAFF,
        purpose=Purpose.objects.filter(per_occasion=False).first(),
        text_shown="Saako lähettää uutiskirjeen?",
    )
    request = DataRequest.objects.create(
        kind=DataRequest.Kind.ACCESS,
        name=f"Henkilo {words['name']}",
        email=words["email"],
        phone="+3584011122" + words["phone"][-2:],
    )
    request.people.add(person)
    return person


@pytest.fixture
def register(organisation):
    mine = CoachFactory(user__username="valmentaja")
    colleague = CoachFactory(user__username="kollega")
    mine.user.groups.add(Group.objects.get(name=ROLES["coach"]))
    colleague.user.groups.add(Group.objects.get(name=ROLES["coach"]))
    own = person_with_everything(mine, OWN)
    other = person_with_everything(colleague, OTHER)  # made last: the newest row of every table is Vieno's
    return {"coach": mine.user, "own": own, "other": other}


def visitor(role, register):
    if role == "anonymous":
        return None
    if role == "coach":
        return register["coach"]
    if role == "no agreement":
        user = UserFactory(username="uusi", is_staff=True, agreement=False)
        user.groups.add(Group.objects.get(name=ROLES["owner"]))
        return user
    user = UserFactory(username=role.replace(" ", ""), is_staff=True)
    user.groups.add(Group.objects.get(name=ROLES[role]))
    return user


# Which markers each visitor may never see, in any answer.
FORBIDDEN = {
    "anonymous": {(words, kind) for words in ("own", "other") for kind in KINDS},
    "no agreement": {(words, kind) for words in ("own", "other") for kind in KINDS},
    # A coach: nothing of a colleague's client, and of their own no restricted note or health entry.
    "coach": {("other", kind) for kind in KINDS} | {("own", "restricted"), ("own", "health")},
    # The bookkeeper: names and billing addresses (and the invoice's email), nothing of the coaching.
    "bookkeeper": {
        (words, kind)
        for words in ("own", "other")
        for kind in (
            "phone",
            "note",
            "collected",
            "message",
            "attachment",
            "feedback",
            "restricted",
            "health",
            "appointment",
        )
    },
    # The privacy handler: who people are, not what the coaches wrote or the emails said.
    "privacy handler": {
        (words, kind)
        for words in ("own", "other")
        for kind in ("note", "collected", "message", "attachment", "feedback", "restricted", "health", "appointment")
    },
    "owner": set(),
}


def newest_pk(model):
    row = model._default_manager.order_by("-pk").first()
    return row.pk if row else 0


def admin_urls():
    """Return every GET-able URL of the admin site, object ids filled with the newest row (Vieno's)."""
    from clients.models import EmailAttachment

    special = {"clients_emailattachment_download": EmailAttachment}
    urls = [reverse("admin:index")]
    skipped = []
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        urls.append(reverse("admin:app_list", kwargs={"app_label": app_label}))

    def walk(patterns, model=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, model)
                continue
            assert isinstance(entry, URLPattern)
            name = entry.name
            if name in (None, "index", "app_list", "view_on_site", "logout", "jsi18n", "autocomplete"):
                continue
            arguments = range(entry.pattern.regex.groups)
            target = special.get(name, model)
            if not arguments:
                urls.append(reverse(f"admin:{name}"))
            elif len(arguments) == 1 and target is not None:
                urls.append(reverse(f"admin:{name}", args=[newest_pk(target)]))
            elif len(arguments) == 2 and target is not None and hasattr(target, "history"):
                history = target.history.order_by("-history_id").first()
                if history is not None:
                    record = getattr(history, target._meta.pk.attname)
                    urls.append(reverse(f"admin:{name}", args=[record, history.history_id]))
            else:
                skipped.append(name)

    walk([p for p in admin.site.get_urls() if isinstance(p, URLPattern)])
    for model, model_admin in admin.site._registry.items():
        walk(model_admin.get_urls(), model)
    assert not skipped, f"the matrix does not know how to fill {skipped}"
    return sorted(set(urls))


def content_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_no_answer_shows_a_visitor_what_their_role_may_not_see(client, register, role):
    user = visitor(role, register)
    if user is not None:
        sign_in(client, user)
    words = {"own": OWN, "other": OTHER}
    forbidden = {words[whose][kind]: (whose, kind) for whose, kind in FORBIDDEN[role]}
    urls = admin_urls()
    assert len(urls) > 80  # every model's pages and the custom ones

    leaks, statuses, seen = [], {}, set()
    for url in urls:
        response = client.get(url)
        statuses[url] = response.status_code
        assert response.status_code < 500, url
        page = content_of(response)
        leaks += [(url, forbidden[word]) for word in forbidden if word in page]
        seen |= {kind for kind, word in OTHER.items() if word in page}
    assert leaks == []
    if role == "owner":
        # The markers are where the test looks for them: the owner meets every one of Vieno's.
        assert seen == set(KINDS)

    # The login page opens to everyone, and a staff member's own account security to them; nothing else.
    entry = {reverse("admin:login"), reverse("admin:two_factor_setup"), reverse("admin:account_security")}
    opened = {url for url, status in statuses.items() if status == 200} - entry
    if role in ("anonymous", "no agreement"):
        assert opened == set()
    if role == "owner":
        assert len(opened) > len(urls) * 0.6


def test_a_coach_opens_their_own_clients_page_and_gets_404_for_a_colleagues(client, register):
    sign_in(client, register["coach"])
    own, other = register["own"], register["other"]
    page = client.get(reverse("admin:clients_client_change", args=[own.pk]))
    assert page.status_code == 200
    assert OWN["note"] in page.content.decode()
    assert client.get(reverse("admin:clients_client_change", args=[other.pk])).status_code == 404
    assert client.get(reverse("admin:clients_client_history", args=[other.pk])).status_code == 404

    listed = client.get(reverse("admin:clients_client_changelist")).content.decode()
    assert OWN["name"] in listed
    assert OTHER["name"] not in listed
    appointment = Appointment.objects.filter(client=other).first()
    assert client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk])).status_code == 404


def test_a_coach_cannot_change_or_book_a_colleagues_client_by_posting(client, register):
    sign_in(client, register["coach"])
    other = register["other"]
    response = client.post(
        reverse("admin:clients_client_change", args=[other.pk]), {"first_name": "Muutettu", "last_name": "X"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.first_name == "Henkilo"

    starts = (timezone.localtime() + timedelta(days=5)).replace(hour=10, minute=0, second=0, microsecond=0)
    before = Appointment.objects.count()
    response = client.post(
        reverse("admin:bookings_appointment_add"),
        {
            "client": other.pk,
            "coach": register["coach"].pk,
            "service": Appointment.objects.first().service_id,
            "starts_at_0": starts.strftime("%d.%m.%Y"),
            "starts_at_1": "10:00",
            "ends_at_0": starts.strftime("%d.%m.%Y"),
            "ends_at_1": "11:00",
        },
    )
    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    assert Appointment.objects.count() == before


def test_the_bookkeeper_reads_a_name_and_billing_address_only(client, register):
    user = visitor("bookkeeper", register)
    sign_in(client, user)
    other = register["other"]
    page = client.get(reverse("admin:clients_client_change", args=[other.pk])).content.decode()
    assert OTHER["name"] in page
    assert other.street_address in page
    assert OTHER["phone"] not in page
    assert OTHER["email"] not in page
    assert "date_of_birth" not in page


def test_a_coachs_calendar_shows_their_own_appointments_only(client, register):
    sign_in(client, register["coach"])
    colleague = Client.objects.get(pk=register["other"].pk).coach
    url = reverse("admin:bookings_appointment_calendar") + f"?view=week&coach={colleague.pk}"
    for offset in range(0, 14, 7):
        day = timezone.localdate() + timedelta(days=offset)
        page = client.get(url + f"&date={day:%Y-%m-%d}").content.decode()
        assert OTHER["name"] not in page
