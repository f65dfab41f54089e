"""Factories for the people and organisations every test needs. Apps add their own
factories beside their tests."""

import itertools
from datetime import date

import factory

from eip.people.models import BOROUGH_ROLES, Borough, Organisation, Role, User

PASSWORD = "correct-horse-battery-staple"  # noqa: S105
_seq = itertools.count(1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = "Cranstoun"
    kind = Organisation.Kind.DELIVERY_PARTNER


class BoroughFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borough
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Borough {n}")
    code = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    isa_in_place = True
    isa_signed_on = date(2020, 8, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.LazyFunction(lambda: f"user{next(_seq)}@eip.test")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    role = Role.PRACTITIONER
    organisation = factory.SubFactory(OrganisationFactory)
    borough = factory.LazyAttribute(
        lambda o: BoroughFactory(name="Camden", code="camden") if o.role in BOROUGH_ROLES else None
    )
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMINISTRATOR)
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.ADMINISTRATOR)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
