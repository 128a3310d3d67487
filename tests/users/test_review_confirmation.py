"""Confirming the access review (audit readiness, issue 11): the office's reviewers (its
leader, a served municipality's executive, its county director) record that they looked through
it; everyone else who sees the office's joint data gets 403, outsiders 404, and each
confirmation is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from offices.models import Office
from users.models import AccessReviewConfirmation, AuditAction, AuditEvent, User
from users.services import NOTE_MAX_LENGTH, access_review_confirm

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username)


def confirm_url(code: str = "heimdal") -> str:
    return reverse("access:review-office-confirm", args=[code])


def confirmations(code: str = "heimdal"):
    return AccessReviewConfirmation.objects.filter(office__code=code)


@pytest.mark.parametrize(
    "username", ["leder.heimdal", "radmann.trondheim", "fylkesdirektor.trondelag"]
)
def test_the_reviewers_confirm_and_it_is_audited(client, demo_data, username):
    before = confirmations().count()
    client.force_login(user(username))
    response = client.post(confirm_url(), {"note": "Gjennomgått med teamlederne."})
    assert response.status_code == 302
    assert response["Location"] == reverse("access:review-office", args=["heimdal"])
    assert confirmations().count() == before + 1
    confirmation = confirmations().order_by("-confirmed_at", "-pk").first()
    assert confirmation.confirmed_by == user(username)
    assert confirmation.note == "Gjennomgått med teamlederne."
    event = AuditEvent.objects.get(
        action=AuditAction.DATA_CREATED,
        object_type="users.accessreviewconfirmation",
        object_id=str(confirmation.pk),
    )
    assert event.office == Office.objects.get(code="heimdal")
    assert event.side == "joint"
    assert event.actor == user(username)


@pytest.mark.parametrize("username", ["stat.heimdal", "kommune.heimdal"])
def test_those_who_see_the_office_but_do_not_review_it_get_403(client, demo_data, username):
    before = confirmations().count()
    client.force_login(user(username))
    assert client.post(confirm_url()).status_code == 403
    assert confirmations().count() == before


@pytest.mark.parametrize(
    "username", ["kommune.lerkendal", "fylkesdirektor.nordland", "radmann.fauske"]
)
def test_outsiders_get_404(client, demo_data, username):
    before = confirmations().count()
    client.force_login(user(username))
    assert client.post(confirm_url()).status_code == 404
    assert client.post(confirm_url("finnes-ikke")).status_code == 404
    assert confirmations().count() == before


def test_anonymous_is_sent_to_sign_in(client, demo_data):
    response = client.post(confirm_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_get_is_not_a_confirmation(client, demo_data):
    client.force_login(user("leder.heimdal"))
    before = confirmations().count()
    assert client.get(confirm_url()).status_code == 405
    assert confirmations().count() == before


def test_a_note_too_long_stores_nothing(client, demo_data):
    client.force_login(user("leder.heimdal"))
    before = confirmations().count()
    response = client.post(confirm_url(), {"note": "x" * (NOTE_MAX_LENGTH + 1)})
    assert response.status_code == 302
    assert confirmations().count() == before
    with pytest.raises(ValidationError):
        access_review_confirm(
            user=user("leder.heimdal"),
            office=Office.objects.get(code="heimdal"),
            note="x" * (NOTE_MAX_LENGTH + 1),
        )


def test_the_service_refuses_a_non_reviewer(demo_data):
    with pytest.raises(ValidationError):
        access_review_confirm(user=user("stat.heimdal"), office=Office.objects.get(code="heimdal"))


def test_the_review_page_offers_the_confirmation(client, demo_data):
    client.force_login(user("leder.heimdal"))
    html = client.get(reverse("access:review-office", args=["heimdal"])).content.decode()
    assert 'data-testid="review-confirm"' in html
    assert confirm_url() in html


def test_a_confirmation_makes_the_criterion_pass(demo_data):
    from reviews.readiness import PASSED, readiness_for_offices

    lerkendal = Office.objects.get(code="lerkendal")
    director = user("fylkesdirektor.trondelag")

    def state():
        result = readiness_for_offices(user=director, offices=[lerkendal])[lerkendal.pk]
        return result.criterion("access_review_confirmed").state

    assert state() != PASSED
    access_review_confirm(user=director, office=lerkendal)
    assert state() == PASSED
