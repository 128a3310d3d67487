"""The bulk delivery of measurements (issue 10, item 3): ``POST /api/v1/measurements/bulk/``
stores all rows or none, and names every refused row by line and field."""

import pytest
from rest_framework.test import APIClient

from scorecards.models import Measurement
from scorecards.periods import format_period
from tests.scorecards.conftest import quiet_month

pytestmark = pytest.mark.django_db

BULK = "/api/v1/measurements/bulk/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_good_batch_is_stored_and_counted(people, make_indicator):
    indicator = make_indicator()
    month = format_period(quiet_month())
    rows = [
        {"office": "heimdal", "indicator": indicator.code, "period": month, "value": "81.5"},
        {"office": "lerkendal", "indicator": indicator.code, "period": month, "value": "70"},
    ]
    response = api(people["leder.heimdal"]).post(BULK, {"rows": rows}, format="json")
    # leder.heimdal may change Heimdal's state side, not Lerkendal's.
    assert response.status_code == 400
    assert [(e["line"], e["field"]) for e in response.json()["rows"]] == [(2, "office")] or (
        response.json()["rows"][0]["line"] == 2
    )
    assert not Measurement.objects.filter(indicator=indicator).exists()

    response = api(people["leder.heimdal"]).post(BULK, rows[:1], format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}


def test_anonymous_may_not_deliver():
    assert api().post(BULK, [], format="json").status_code == 401
