"""Demo people for seed_demo: clients, prospects, subscribers, minors with guardians, a few emails."""

import random
import tempfile
import unicodedata
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from clients.models import (
    NOTICE_VERSION_IN_FORCE,
    Client,
    CollectedData,
    Guardian,
    ReceivedEmail,
    RoleChange,
    StaffNote,
)
from clients.services import import_emails

ROLES = (
    [Client.Role.CLIENT] * 30
    + [Client.Role.PROSPECT] * 12
    + [Client.Role.SUBSCRIBER] * 14
    + [Client.Role.FORMER_CLIENT] * 6
)
SOURCES = (
    [Client.Source.SELF] * 6 + [Client.Source.WEB_FORM] * 3 + [Client.Source.REMARKETING, Client.Source.RELATIONSHIP]
)


def _coaches():
    User = get_user_model()
    coaches = []
    for username, first, last in [("sami", "Sami", "Muhonen"), ("laura", "Laura", "Lehtinen")]:
        coach, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
        )
        if created:
            coach.set_unusable_password()
            coach.save()
        coaches.append(coach)
    return coaches


def _ascii(text: str) -> str:
    """Return ``text`` as an address-friendly ASCII word: Äijälä becomes aijala."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _phone(fake):
    return f"+35840{fake.unique.random_number(digits=7, fix_len=True)}"


def seed(command, *, people: int = len(ROLES)):
    """Create a realistic small register; deterministic, so every demo looks the same."""
    fake = Faker("fi_FI")
    Faker.seed(2026)
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not a secret
    coaches = _coaches()
    now = timezone.now()
    created = []
    for index in range(people):
        role = ROLES[index % len(ROLES)]
        first, last = fake.first_name(), fake.last_name()
        entered = now - timedelta(days=rng.randint(10, 900))
        person = Client.objects.create(
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}{index}@example.fi",
            phone=_phone(fake) if role != Client.Role.SUBSCRIBER else "",
            street_address=fake.street_address() if role != Client.Role.SUBSCRIBER else "",
            postal_code=fake.postcode() if role != Client.Role.SUBSCRIBER else "",
            city=fake.city() if role != Client.Role.SUBSCRIBER else "",
            date_of_birth=fake.date_of_birth(minimum_age=19, maximum_age=72) if role == Client.Role.CLIENT else None,
            preferred_language=rng.choice(["fi"] * 8 + ["en", "sv"]),
            coach=rng.choice(coaches) if role in (Client.Role.CLIENT, Client.Role.FORMER_CLIENT) else None,
            role=role,
            role_since=(entered + timedelta(days=rng.randint(0, 60))).date(),
            source=rng.choice(SOURCES),
            entered_at=entered,
            informed_at=entered if role == Client.Role.CLIENT else None,
            informed_by=rng.choice(coaches) if role == Client.Role.CLIENT else None,
        )
        RoleChange.objects.create(client=person, role=role, changed_at=entered)
        created.append(person)

    # Minors with guardians, and one whose guardian is still missing (the back office flags them).
    for index in range(5):
        last = fake.last_name()
        minor = Client.objects.create(
            first_name=fake.first_name(),
            last_name=last,
            email="",
            date_of_birth=fake.date_of_birth(minimum_age=10, maximum_age=16),
            role=Client.Role.CLIENT,
            source=Client.Source.GUARDIAN,
            coach=rng.choice(coaches),
            informed_at=now - timedelta(days=30),
            informed_by=coaches[0],
        )
        if index < 4:
            Guardian.objects.create(
                minor=minor,
                first_name=fake.first_name(),
                last_name=last,
                relation=rng.choice(["äiti", "isä", "huoltaja"]),
                phone=_phone(fake),
                email=f"huoltaja.{_ascii(last)}{index}@example.fi",
                is_invoice_recipient=True,
            )

    clients = [p for p in created if p.role == Client.Role.CLIENT]
    for person in clients[:12]:
        StaffNote.objects.create(
            client=person,
            author=person.coach,
            text=rng.choice(
                ["Tavoitteena puolimaraton syksyllä.", "Toivoo aamuvuoroja.", "Siirtyi kahden hengen valmennukseen."]
            ),
        )
    StaffNote.objects.create(
        client=clients[0],
        author=coaches[0],
        restricted=True,
        text="Kertoi elämäntilanteestaan luottamuksellisesti.",
    )
    CollectedData.objects.create(
        client=clients[1],
        label="Polvivamma",
        value="Oikean polven nivelsidevamma 2024, vältä syviä kyykkyjä.",
        purpose_code="health_for_safe_training",
        is_health=True,
        recorded_by=coaches[0],
    )

    _import_demo_emails(clients[:4], Guardian.objects.first(), fake)


def _import_demo_emails(people, guardian, fake):
    """Write a few messages as .eml files and import them the way staff would."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        senders = [(p.email, p.full_name) for p in people] + [(guardian.email, str(guardian))]
        senders.append(("tuntematon.lahettaja@example.com", "Tuntematon"))
        for index, (address, name) in enumerate(senders):
            message = EmailMessage()
            message["From"] = f"{name} <{address}>"
            message["To"] = "sami@liikkuvatpuntit.fi"
            message["Subject"] = ["Ajanvaraus ensi viikolle", "Kysymys laskusta", "Kiitos treenistä!"][index % 3]
            message["Date"] = (timezone.now() - timedelta(days=index * 3)).strftime("%a, %d %b %Y %H:%M:%S %z")
            message["Message-ID"] = f"<demo-{index}@example.fi>"
            message.set_content(fake.paragraph(nb_sentences=3))
            if index == 0:
                message.add_attachment(
                    b"%PDF-1.4 demo", maintype="application", subtype="pdf", filename="kuntotesti.pdf"
                )
            path = Path(folder) / f"viesti-{index}.eml"
            path.write_bytes(bytes(message))
            paths.append(path)
        import_emails(paths=paths)


# A large generated register (seed_demo --people N) ----------------------------------------------------

ROLE_SHARES = [
    (Client.Role.SUBSCRIBER, 35),
    (Client.Role.PROSPECT, 20),
    (Client.Role.CLIENT, 30),
    (Client.Role.FORMER_CLIENT, 15),
]
SCALE_SOURCES = [
    (Client.Source.SELF, 50),
    (Client.Source.WEB_FORM, 30),
    (Client.Source.REMARKETING, 10),
    (Client.Source.RELATIONSHIP, 5),
    (Client.Source.IMPORT, 5),
]
LANGUAGES = ["fi"] * 8 + ["en", "sv"]
EMAIL_SUBJECTS = ["Ajanvaraus ensi viikolle", "Kysymys laskusta", "Kiitos treenistä!", "Peruutus", "Ohjelma"]
MINOR_SHARE = 0.01  # of clients: minors, coached with a guardian's consent
RESTRICTED_SHARE = 0.001
NOTE_SHARE = 0.05  # of clients: a staff note each


class _Person(NamedTuple):
    """What the rows that follow a generated person (notes, guardians, emails) need to know of them."""

    key: int
    role: str
    entered: datetime
    coach: int | None
    email: str
    minor: bool


class _Pools:
    """Names and addresses drawn once from Faker and combined freely: Faker per row would take minutes."""

    def __init__(self, seed: int):
        fake = Faker("fi_FI")
        fake.seed_instance(seed)
        self.first_names = sorted({fake.first_name() for _ in range(600)})
        self.last_names = sorted({fake.last_name() for _ in range(600)})
        self.streets = [fake.street_address() for _ in range(400)]
        self.places = [(fake.postcode(), fake.city()) for _ in range(200)]
        self.sentences = [fake.sentence(nb_words=12) for _ in range(200)]


def _scale_coaches(scale) -> list[int]:
    """Create the generated register's coaches (staff accounts without a password) in the coaches' group."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    group = Group.objects.filter(name__startswith="Valmentaja").first()
    pools = _Pools(scale.seed + 1)
    coaches = []
    for number in range(1, scale.coaches + 1):
        user = User(
            username=f"valmentaja{number:03d}",
            first_name=scale.rng.choice(pools.first_names),
            last_name=scale.rng.choice(pools.last_names),
            is_staff=True,
        )
        user.set_unusable_password()
        user.save()
        if group is not None:
            user.groups.add(group)
        coaches.append(user.pk)
    return coaches


def _weighted(rng, shares):
    values, weights = zip(*shares, strict=True)
    return lambda: rng.choices(values, weights)[0]


def seed_at_scale(command, scale):
    """Generate ``scale.people`` people with their role history, guardians, notes and emails, in bulk."""
    from register.scale import LONG_RECORDS

    rng, loader, now = scale.rng, scale.loader, scale.now
    pools = _Pools(scale.seed)
    scale.coach_user_ids = _scale_coaches(scale)
    start = scale.history_start()
    span = (now - timedelta(days=10) - start).total_seconds()
    today = timezone.localdate()
    pick_role, pick_source = _weighted(rng, ROLE_SHARES), _weighted(rng, SCALE_SOURCES)
    notice_version = NOTICE_VERSION_IN_FORCE[0]() if NOTICE_VERSION_IN_FORCE else None
    keys = loader.reserve(Client, scale.people)
    scale.first_keys["clients.Client"] = keys[0]

    people: list[_Person] = []
    long_keys = {}

    def rows():
        for index, key in enumerate(keys):
            long = index < len(LONG_RECORDS)
            role = Client.Role.CLIENT if long else pick_role()
            # The register grows: more people joined lately than in its first years.
            entered = start + timedelta(seconds=span * (0.0 if long else rng.random() ** 0.5))
            first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
            coached = role in (Client.Role.CLIENT, Client.Role.FORMER_CLIENT)
            minor = coached and not long and rng.random() < MINOR_SHARE
            subscriber = role == Client.Role.SUBSCRIBER
            email = "" if minor else f"{_ascii(first)}.{_ascii(last)}.{key}@example.fi"
            street = "" if subscriber else rng.choice(pools.streets)
            postal_code, city = ("", "") if subscriber else rng.choice(pools.places)
            if minor:
                born = today - timedelta(days=rng.randint(10 * 365, 16 * 365))
            elif role == Client.Role.CLIENT:
                born = today - timedelta(days=rng.randint(19 * 365, 72 * 365))
            else:
                born = None
            coach = rng.choice(scale.coach_user_ids) if coached else None
            informed = entered if coached else None
            restricted = rng.random() < RESTRICTED_SHARE and not long
            people.append(_Person(key, role, entered, coach, email, minor))
            if long:
                long_keys[key] = LONG_RECORDS[index]
            yield (
                key, first, last, email,
                "" if subscriber else f"+35840{key % 10_000_000:07d}",
                street, postal_code, city, "FI", born,
                rng.choice(LANGUAGES),
                coach, "", role,
                (entered + timedelta(days=rng.randint(0, 60))).date(),
                Client.Source.GUARDIAN if minor else pick_source(),
                entered,
                entered + timedelta(days=30) if restricted else None,
                "Rajoituspyyntö (tietopyyntö)" if restricted else "",
                informed, notice_version if informed else None, coach if informed else None,
                True, entered, entered,
            )  # fmt: skip

    columns = [
        "id", "first_name", "last_name", "email", "phone", "street_address", "postal_code", "city", "country",
        "date_of_birth", "preferred_language", "coach_id", "background", "role", "role_since", "source",
        "entered_at", "restricted_at", "restriction_reason", "informed_at", "informed_notice_version",
        "informed_by_id", "is_active", "created_at", "updated_at",
    ]  # fmt: skip
    with (
        loader.indexes_deferred(Client, Client.history.model, RoleChange),
        scale.progress(scale.people, "people") as bar,
    ):
        loader.write_with_history(Client, columns, scale.counted(rows(), bar), history_date="created_at")
        loader.add(RoleChange, ["client_id", "role", "changed_at"], [(p.key, p.role, p.entered) for p in people])
    scale.long_records = long_keys

    minors = [person for person in people if person.minor]
    guardians = minors[: int(len(minors) * 0.9)]  # a tenth still lack one: the back office flags them
    loader.write_with_history(
        Guardian,
        ["id", "minor_id", "first_name", "last_name", "relation", "phone", "email", "street_address",
         "postal_code", "city", "is_invoice_recipient"],
        (
            (guardian_key, key, rng.choice(pools.first_names), rng.choice(pools.last_names),
             rng.choice(["äiti", "isä", "huoltaja"]), f"+35850{guardian_key % 10_000_000:07d}",
             f"huoltaja.{guardian_key}@example.fi", rng.choice(pools.streets), *rng.choice(pools.places), True)
            for guardian_key, key in zip(loader.reserve(Guardian, len(guardians)), [p.key for p in guardians],
                                         strict=True)
        ),
        history_date=now,
    )  # fmt: skip

    coached = [person for person in people if person.coach is not None]
    noted = rng.sample(coached, int(len(coached) * NOTE_SHARE))
    loader.write_with_history(
        StaffNote,
        ["id", "client_id", "author_id", "created_at", "text", "restricted"],
        (
            (
                note_key,
                person.key,
                person.coach,
                person.entered + timedelta(days=rng.randint(1, 90)),
                rng.choice(pools.sentences),
                False,
            )
            for note_key, person in zip(loader.reserve(StaffNote, len(noted)), noted, strict=True)
        ),
        history_date="created_at",
    )
    _seed_emails_at_scale(scale, pools, people)


def _seed_emails_at_scale(scale, pools, people):
    """Generate the emails people sent: a few of most people's, and the long-standing clients' many."""
    rng, loader = scale.rng, scale.loader
    with_email = [person for person in people if person.email]
    senders = rng.sample(with_email, min(len(with_email), scale.amount("emails")))
    by_key = {person.key: person for person in with_email}
    for key, record in scale.long_records.items():
        senders += [by_key[key]] * record.emails
    keys = loader.reserve(ReceivedEmail, len(senders))

    def rows():
        for email_key, person in zip(keys, senders, strict=True):
            sent = person.entered + (scale.now - person.entered) * rng.random()
            yield (
                email_key, person.key, f"<scale-{email_key}@example.fi>", person.email, "", "valmennus@example.fi",
                rng.choice(EMAIL_SUBJECTS), sent, rng.choice(pools.sentences), sent,
            )  # fmt: skip

    with scale.progress(len(senders), "emails") as bar:
        loader.write(
            ReceivedEmail,
            ["id", "client_id", "message_id", "sender", "sender_name", "recipients", "subject", "sent_at", "body",
             "imported_at"],
            scale.counted(rows(), bar),
        )  # fmt: skip
