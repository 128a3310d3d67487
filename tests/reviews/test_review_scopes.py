"""Who may open which review page: a municipality's executive and advisors, a county's director
and advisors; everyone else gets 404 (and the refusal is audited)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from users import access
from users.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_municipal_executive_reviews_their_municipality_only(demo_data):
    radmann = user("radmann.trondheim")
    assert list(access.reviewed_municipalities(radmann).values_list("number", flat=True)) == [
        "5001"
    ]
    assert access.get_reviewed_municipality_or_404(radmann, "5001").number == "5001"
    with pytest.raises(Http404):
        access.get_reviewed_municipality_or_404(radmann, "1841")
    assert not access.reviewed_counties(radmann).exists()


def test_the_county_director_reviews_their_county_only(demo_data):
    director = user("fylkesdirektor.trondelag")
    assert access.get_reviewed_county_or_404(director, "50").number == "50"
    with pytest.raises(Http404):
        access.get_reviewed_county_or_404(director, "18")
    assert not access.reviewed_municipalities(director).exists()


@pytest.mark.parametrize("username", ["leder.heimdal", "stat.heimdal", "kommune.heimdal"])
def test_office_people_review_neither(demo_data, username):
    person = user(username)
    with pytest.raises(Http404):
        access.get_reviewed_municipality_or_404(person, "5001")
    with pytest.raises(Http404):
        access.get_reviewed_county_or_404(person, "50")


def test_anonymous_reviews_nothing(demo_data):
    assert not access.reviewed_municipalities(AnonymousUser()).exists()
    assert not access.reviewed_counties(AnonymousUser()).exists()


def test_a_refusal_is_audited(demo_data):
    director = user("fylkesdirektor.nordland")
    before = AuditEvent.objects.filter(actor=director, action=AuditAction.ACCESS_DENIED).count()
    with pytest.raises(Http404):
        access.get_reviewed_county_or_404(director, "50")
    assert (
        AuditEvent.objects.filter(actor=director, action=AuditAction.ACCESS_DENIED).count()
        == before + 1
    )
