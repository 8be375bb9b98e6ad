"""Demo people for seed_demo: clients, prospects, subscribers, minors with guardians, a few emails."""

import random
import tempfile
import unicodedata
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from clients.models import (
    Client,
    CollectedData,
    Guardian,
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


def ascii_word(text: str) -> str:
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
            email=f"{ascii_word(first)}.{ascii_word(last)}{index}@example.fi",
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
                email=f"huoltaja.{ascii_word(last)}{index}@example.fi",
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
