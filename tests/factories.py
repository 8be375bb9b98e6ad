"""factory-boy factories for every model, with Finnish fake data."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from billing.models import Feedback, Invoice, InvoiceLine
from bookings.models import Appointment, Coach, Location, Service
from clients.models import (
    Client,
    CollectedData,
    EmailAttachment,
    Guardian,
    ReceivedEmail,
    RoleChange,
    StaffNote,
)
from privacy.models import AccessLogEntry
from register.models import Organisation, StaffProfile

factory.Faker._DEFAULT_LOCALE = "fi_FI"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def agreement(user, create, extracted, **kwargs):
        """Staff made by the factory have a recorded confidentiality agreement, unless agreement=False."""
        if create and user.is_staff and not user.is_superuser and extracted is not False:
            StaffProfile.objects.get_or_create(user=user, defaults={"agreement_signed_on": dt.date(2026, 1, 2)})


class OrganisationFactory(factory.django.DjangoModelFactory):
    """The single organisation row (created or updated in place)."""

    class Meta:
        model = Organisation
        django_get_or_create = ("id",)

    id = Organisation.SINGLETON_ID
    name = factory.Faker("company")
    business_id = "0112038-9"
    street_address = factory.Faker("street_address")
    postal_code = factory.Faker("postcode")
    city = factory.Faker("city")
    phone = "09 123 4567"
    email = factory.Faker("company_email")
    contact_name = factory.Faker("name")
    contact_phone = "040 123 4567"
    contact_email = factory.Faker("email")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"henkilo{n}@example.invalid")
    phone = factory.Sequence(lambda n: f"+35840{n:07d}")
    street_address = factory.Faker("street_address")
    postal_code = factory.Faker("postcode")
    city = factory.Faker("city")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=20, maximum_age=70)
    role = Client.Role.CLIENT
    source = Client.Source.SELF


class MinorFactory(ClientFactory):
    date_of_birth = factory.Faker("date_of_birth", minimum_age=8, maximum_age=16)
    source = Client.Source.GUARDIAN


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    minor = factory.SubFactory(MinorFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.LazyAttribute(lambda guardian: guardian.minor.last_name)
    relation = "äiti"
    phone = factory.Sequence(lambda n: f"+35850{n:07d}")
    email = factory.Sequence(lambda n: f"huoltaja{n}@example.invalid")


class RoleChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleChange

    client = factory.SubFactory(ClientFactory)
    role = Client.Role.CLIENT
    previous_role = Client.Role.PROSPECT


class ReceivedEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceivedEmail

    client = factory.SubFactory(ClientFactory)
    message_id = factory.Sequence(lambda n: f"<viesti{n}@example.invalid>")
    sender = factory.LazyAttribute(lambda received: received.client.email if received.client else "x@example.invalid")
    subject = factory.Faker("sentence", nb_words=4)
    sent_at = factory.Faker("date_time_this_year", tzinfo=dt.UTC)
    body = factory.Faker("paragraph")


class EmailAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailAttachment

    email = factory.SubFactory(ReceivedEmailFactory)
    file = factory.django.FileField(filename="liite.txt", data=b"liitteen sisalto")
    filename = "liite.txt"
    content_type = "text/plain"
    size = 16


class StaffNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffNote

    client = factory.SubFactory(ClientFactory)
    author = factory.SubFactory(UserFactory, is_staff=True)
    text = factory.Faker("paragraph")


class CollectedDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectedData

    client = factory.SubFactory(ClientFactory)
    label = "Tavoite"
    value = factory.Faker("sentence")
    purpose_code = "other_with_permission"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name_fi = "Personal training"
    name_en = "Personal training"
    duration = dt.timedelta(hours=1)
    price = Decimal("85.00")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = "Studio"
    street_address = "Vestrantie 39"
    postal_code = "01750"
    city = "Vantaa"


class CoachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coach

    user = factory.SubFactory(UserFactory, is_staff=True)
    display_name = factory.LazyAttribute(lambda coach: coach.user.get_full_name())


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    coach = factory.LazyAttribute(lambda _appointment: CoachFactory().user)
    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(LocationFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + dt.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda appointment: appointment.starts_at + dt.timedelta(hours=1))


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    client = factory.SubFactory(ClientFactory)
    buyer_name = factory.LazyAttribute(lambda invoice: invoice.client.full_name)
    buyer_address = "Vestrantie 1\n01750 Vantaa"
    buyer_email = factory.LazyAttribute(lambda invoice: invoice.client.email)
    delivery_date = dt.date(2026, 11, 2)


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    description = "Personal training"
    quantity = Decimal(1)
    unit_price = Decimal("74.8899")
    vat_rate = Decimal("13.50")


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    appointment = factory.SubFactory(AppointmentFactory, status="attended")
    score = 5


class AccessLogEntryFactory(factory.django.DjangoModelFactory):
    """An entry of the access log: a staff member with the coach's role viewed a person's page."""

    class Meta:
        model = AccessLogEntry

    user = factory.SubFactory(UserFactory, is_staff=True)
    username = factory.LazyAttribute(lambda entry: entry.user.username if entry.user else "")
    roles = "Valmentaja (coach)"
    action = AccessLogEntry.Action.VIEWED
    person = factory.SubFactory(ClientFactory)
    object_model = "clients.client"
    object_pk = factory.LazyAttribute(lambda entry: str(entry.person.pk) if entry.person else "")
    object_label = factory.LazyAttribute(lambda entry: str(entry.person) if entry.person else "")
    ip_address = "203.0.113.5"
