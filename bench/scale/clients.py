"""The generated people: clients, prospects, subscribers, minors with guardians, staff notes and emails."""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from faker import Faker

from bench.scale import LONG_RECORDS, Scale
from clients.demo import ascii_word
from clients.models import NOTICE_VERSION_IN_FORCE, Client, Guardian, ReceivedEmail, RoleChange, StaffNote
from register.hashing import address_hmac

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


def generate(scale: Scale) -> None:
    """Generate ``scale.people`` people with their role history, guardians, notes and emails, in bulk."""
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
            email = "" if minor else f"{ascii_word(first)}.{ascii_word(last)}.{key}@example.fi"
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
                key, first, last, email, address_hmac(email) if email else "",
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
        "id", "first_name", "last_name", "email", "email_hmac", "phone", "street_address", "postal_code", "city",
        "country", "date_of_birth", "preferred_language", "coach_id", "background", "role", "role_since", "source",
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
