"""factory_boy factories. Counties and municipalities come from the data migration."""

import factory
from django.utils import timezone

from offices.models import County, Municipality, Office, OfficeMunicipality
from users.models import EmployerSide, Role, RoleAssignment, User

PASSWORD = "a-test-password-1"


def county(number: str = "50") -> County:
    return County.objects.get(number=number)


def municipality(number: str = "5001") -> Municipality:
    return Municipality.objects.valid_on().get(number=number)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"NAV Test {n}")
    county = factory.LazyFunction(county)
    postal_place = "Trondheim"


class OfficeMunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeMunicipality

    office = factory.SubFactory(OfficeFactory)
    municipality = factory.LazyFunction(municipality)
    valid_from = factory.LazyFunction(lambda: timezone.localdate().replace(year=2024))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    employer_side = EmployerSide.STATE
    employer_county = factory.LazyFunction(county)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MunicipalUserFactory(UserFactory):
    employer_side = EmployerSide.MUNICIPAL
    employer_county = None
    employer_municipality = factory.LazyFunction(municipality)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.OFFICE_STAFF
    office = factory.SubFactory(OfficeFactory)
