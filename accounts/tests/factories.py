from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Organisation, OrganisationType, RoleAssignment, User

TEST_PASSWORD = "correct-horse-battery-staple"
# Hashing with Argon2 for every factory user would slow the suite for nothing.
_TEST_PASSWORD_HASH = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = OrganisationType.PARTNER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = _TEST_PASSWORD_HASH
    # Tests read English; French is tested on purpose where it matters.
    preferred_language = "en"


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "facilitator"

    @factory.post_generation
    def areas(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.areas.set(extracted)
