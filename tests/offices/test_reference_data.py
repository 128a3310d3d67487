"""The SSB reference data, the dated model, and the office services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from offices.models import County, Municipality, OfficeMunicipality
from offices.services import (
    MUNICIPALITY_OUTSIDE_COUNTY,
    SECOND_HOST,
    office_municipality_add,
    office_upsert,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_migration_loads_15_counties_and_357_municipalities():
    assert County.objects.count() == 15
    assert Municipality.objects.valid_on().count() == 357
    trondheim = Municipality.objects.valid_on().get(number="5001")
    assert trondheim.county.name == "Trøndelag"
    assert trondheim.name.startswith("Trondheim")


def test_every_municipality_number_starts_with_its_county_number():
    for municipality in Municipality.objects.select_related("county"):
        assert municipality.number[:2] == municipality.county.number


def test_a_merger_is_expressed_by_dates():
    """Narvik, Ballangen and part of Tysfjord became a new Narvik on 1.1.2020."""
    nordland = County.objects.get(number="18")
    old_narvik = Municipality.objects.create(
        number="1805",
        name="Narvik (før 2020)",
        county=nordland,
        valid_from=datetime.date(1838, 1, 1),
        valid_to=datetime.date(2019, 12, 31),
    )
    assert old_narvik in Municipality.objects.valid_on(datetime.date(2019, 12, 31))
    assert old_narvik not in Municipality.objects.valid_on(datetime.date(2020, 1, 1))
    assert old_narvik not in Municipality.objects.valid_on()


def test_a_municipality_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(
            number="9999",
            name="Feil",
            county=County.objects.get(number="50"),
            valid_from=datetime.date(2024, 1, 1),
            valid_to=datetime.date(2023, 1, 1),
        )


def test_office_upsert_is_idempotent():
    county = factories.county("18")
    first = office_upsert(code="indre-salten", name="NAV Indre Salten", county=county)
    again = office_upsert(
        code="indre-salten", name="NAV Indre Salten", county=county, postal_place="Fauske"
    )
    assert first.pk == again.pk
    assert again.address == "Fauske"


def test_office_cannot_serve_a_municipality_of_another_county():
    office = factories.OfficeFactory(county=factories.county("18"))
    with pytest.raises(ValidationError) as error:
        office_municipality_add(
            office=office,
            municipality=factories.municipality("5001"),
            valid_from=datetime.date(2024, 1, 1),
        )
    assert error.value.message_dict["municipality"] == [
        _(MUNICIPALITY_OUTSIDE_COUNTY)
        % {"municipality": "Trondheim - Tråante", "county": "Nordland"}
    ]
    assert not OfficeMunicipality.objects.filter(office=office).exists()


def test_an_office_has_at_most_one_current_host():
    office = factories.OfficeFactory(county=factories.county("18"))
    start = datetime.date(2024, 1, 1)
    office_municipality_add(
        office=office, municipality=factories.municipality("1841"), valid_from=start, is_host=True
    )
    with pytest.raises(ValidationError) as error:
        office_municipality_add(
            office=office,
            municipality=factories.municipality("1840"),
            valid_from=start,
            is_host=True,
        )
    assert error.value.message_dict["is_host"] == [_(SECOND_HOST)]
    # The database holds the same line, whatever writes to it.
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeMunicipality.objects.create(
            office=office,
            municipality=factories.municipality("1845"),
            valid_from=start,
            is_host=True,
        )


def test_memberships_are_dated():
    membership = factories.OfficeMunicipalityFactory(
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31)
    )
    assert membership in OfficeMunicipality.objects.valid_on(datetime.date(2024, 6, 1))
    assert membership not in OfficeMunicipality.objects.valid_on(datetime.date(2025, 1, 1))
