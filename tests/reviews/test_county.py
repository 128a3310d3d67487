"""The county review (issue 11, item 2): who may open it, what it shows (rule 7), its filters,
sorting and ranking, its bad input (400 with the reasons, no data)."""

import pytest
from django.urls import reverse

from users.models import User

pytestmark = pytest.mark.django_db

URL = reverse("reviews:county", args=["50"])


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_county_director_opens_the_review(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    response = client.get(URL)
    assert response.status_code == 200
