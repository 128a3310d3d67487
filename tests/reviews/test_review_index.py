"""``/oppfolging/`` leads each person to their review page, and the front page and the menu
offer it to those who have one."""

import pytest
from django.urls import reverse

from tests import factories
from users.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

INDEX = reverse("reviews:index")


def signed_in(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize(
    ("username", "review"),
    [
        ("radmann.trondheim", "/oppfolging/kommune/5001/"),
        ("fylkesdirektor.trondelag", "/oppfolging/fylke/50/"),
    ],
)
def test_one_review_leads_straight_to_it(client, demo_data, username, review):
    response = signed_in(client, username).get(INDEX)
    assert response.status_code == 302
    assert response["Location"] == review


@pytest.mark.parametrize("username", ["leder.heimdal", "stat.heimdal", "kommune.heimdal"])
def test_office_people_have_no_review(client, demo_data, username):
    assert signed_in(client, username).get(INDEX).status_code == 404
    menu = {item.url for item in client.get(reverse("home")).context["shell"].menu}
    assert not any(url.startswith(INDEX) for url in menu)


def test_anonymous_is_sent_to_sign_in(client, demo_data):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_several_reviews_are_offered_as_a_choice(client, demo_data):
    advisor = factories.MunicipalUserFactory()
    for number in ("5001", "5031"):
        RoleAssignment.objects.create(
            user=advisor, role=Role.MUNICIPAL_ADVISOR, municipality=factories.municipality(number)
        )
    client.force_login(advisor)
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("reviews:municipal", args=["5001"]) in html
    assert reverse("reviews:municipal", args=["5031"]) in html
    menu = {item.url for item in response.context["shell"].menu}
    assert INDEX in menu


def test_the_front_page_offers_the_review(client, demo_data):
    html = signed_in(client, "radmann.trondheim").get(reverse("home")).content.decode()
    assert 'data-testid="my-reviews"' in html
    assert reverse("reviews:municipal", args=["5001"]) in html
