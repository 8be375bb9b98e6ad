"""factory-boy factories for every model, with Finnish fake data."""

import factory
from django.contrib.auth import get_user_model

from register.models import Organisation

factory.Faker._DEFAULT_LOCALE = "fi_FI"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.django.Password("correct horse battery staple")


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
