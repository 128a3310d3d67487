"""An office's dated documents (audit readiness): the business plan and the internal-control
routines. Joint data: the office's, its municipalities' and its county's people see them;
outsiders get 404, those who see them but may not record them 403; bad input is a 400 with the
field's error and nothing stored; every write is audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from offices.models import Office, OfficeDocument, OfficeDocumentKind
from offices.services import (
    document_kinds_writable,
    office_document_record,
    office_document_withdraw,
)
from users.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BUSINESS_PLAN = OfficeDocumentKind.BUSINESS_PLAN
INTERNAL_CONTROL = OfficeDocumentKind.INTERNAL_CONTROL


@pytest.fixture
def heimdal(demo_data) -> Office:
    return Office.objects.get(code="heimdal")


def user(username: str) -> User:
    return User.objects.get(username=username)


def signed_in(client, username: str):
    client.force_login(user(username))
    return client


def url(code: str = "heimdal") -> str:
    return reverse("offices:documents", args=[code])


def plan_form(**changes) -> dict:
    data = {
        "kind": BUSINESS_PLAN,
        "title": "Virksomhetsplan",
        "year": str(TODAY.year),
        "valid_from": f"01.01.{TODAY.year}",
        "reference": "Sak 2026/1",
        "description": "",
    }
    data.update(changes)
    return data


# --- Who may record what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "kinds"),
    [
        ("leder.heimdal", [BUSINESS_PLAN]),  # the leader, state-employed
        ("fylkesdirektor.trondelag", [BUSINESS_PLAN]),
        ("radmann.trondheim", [BUSINESS_PLAN, INTERNAL_CONTROL]),
        ("stat.heimdal", []),
        ("kommune.heimdal", []),  # municipal staff: not the municipality's management
        ("kommune.lerkendal", []),
        ("fylkesdirektor.nordland", []),
    ],
)
def test_who_records_which_kind(heimdal, username, kinds):
    assert document_kinds_writable(user=user(username), office=heimdal) == kinds


def test_the_service_refuses_a_kind_the_writer_may_not_record(heimdal):
    from django.core.exceptions import ValidationError

    before = OfficeDocument.objects.count()
    with pytest.raises(ValidationError) as refused:
        office_document_record(
            user=user("leder.heimdal"),
            office=heimdal,
            kind=INTERNAL_CONTROL,
            title="Rutiner",
            valid_from=TODAY,
        )
    assert "kind" in refused.value.message_dict
    assert OfficeDocument.objects.count() == before


# --- Pages: reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    [
        "leder.heimdal",
        "stat.heimdal",
        "kommune.heimdal",
        "radmann.trondheim",
        "fylkesdirektor.trondelag",
    ],
)
def test_the_office_and_its_parties_see_the_documents(client, heimdal, username):
    response = signed_in(client, username).get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-document-kind="business_plan"' in html
    assert 'data-document-kind="internal_control"' in html


@pytest.mark.parametrize(
    "username", ["kommune.lerkendal", "stat.lerkendal", "fylkesdirektor.nordland", "radmann.fauske"]
)
def test_outsiders_get_404(client, heimdal, username):
    client = signed_in(client, username)
    assert client.get(url()).status_code == 404
    assert client.post(url(), plan_form()).status_code == 404
    document = OfficeDocument.objects.filter(office=heimdal).first()
    pk = document.pk if document else 1
    withdraw = reverse("offices:document-withdraw", args=["heimdal", pk])
    assert client.post(withdraw).status_code == 404


def test_an_unknown_office_is_404(client, demo_data):
    assert signed_in(client, "fylkesdirektor.trondelag").get(url("finnes-ikke")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, heimdal):
    for response in (client.get(url()), client.post(url(), plan_form())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_see_no_form_and_get_403_for_a_write(client, heimdal):
    client = signed_in(client, "stat.heimdal")
    response = client.get(url())
    assert 'data-testid="document-form"' not in response.content.decode()
    before = OfficeDocument.objects.count()
    assert client.post(url(), plan_form()).status_code == 403
    assert OfficeDocument.objects.count() == before


def test_a_filter_by_kind_and_an_unknown_kind(client, heimdal):
    client = signed_in(client, "leder.heimdal")
    html = client.get(url() + "?type=internal_control").content.decode()
    assert 'data-document-kind="internal_control"' in html
    assert 'data-document-kind="business_plan"' not in html
    response = client.get(url() + "?type=budsjett")
    assert response.status_code == 400
    assert 'data-testid="documents-error"' in response.content.decode()


# --- Pages: recording -------------------------------------------------------------------------


def test_the_leader_records_a_business_plan_audited(client, heimdal):
    client = signed_in(client, "leder.heimdal")
    response = client.post(url(), plan_form(title="Virksomhetsplan for testen"))
    assert response.status_code == 302
    document = OfficeDocument.objects.get(title="Virksomhetsplan for testen")
    assert document.office == heimdal
    assert document.year == TODAY.year
    assert document.valid_from == datetime.date(TODAY.year, 1, 1)
    assert document.recorded_by == user("leder.heimdal")
    assert document.recorded_by_side == "state"
    assert response["Location"].endswith(f"#document-{document.pk}")
    event = AuditEvent.objects.get(
        action=AuditAction.DATA_CREATED,
        object_type="offices.officedocument",
        object_id=str(document.pk),
    )
    assert event.office == heimdal
    assert event.side == "joint"
    assert event.details["kind"] == BUSINESS_PLAN
    html = client.get(url()).content.decode()
    assert f'id="document-{document.pk}"' in html


def test_the_executive_records_internal_control(client, heimdal):
    client = signed_in(client, "radmann.trondheim")
    data = plan_form(kind=INTERNAL_CONTROL, title="Internkontroll for testen", year="")
    assert client.post(url(), data).status_code == 302
    document = OfficeDocument.objects.get(title="Internkontroll for testen")
    assert document.kind == INTERNAL_CONTROL
    assert document.year is None
    assert document.recorded_by_side == "municipal"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"valid_from": ""}, "valid_from"),
        ({"valid_from": "31.02.2026"}, "valid_from"),
        ({"valid_from": "i går"}, "valid_from"),
        ({"year": ""}, "year"),  # a business plan is for a year
        ({"year": "1999"}, "year"),
        ({"year": str(TODAY.year + 5)}, "year"),
        ({"year": "tjuetjueseks"}, "year"),
        ({"kind": "internal_control"}, "kind"),  # not the leader's to record
        ({"kind": "budsjett"}, "kind"),
        ({"reference": "r" * 301}, "reference"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(client, heimdal, changes, field):
    before = OfficeDocument.objects.count()
    events = AuditEvent.objects.count()
    response = signed_in(client, "leder.heimdal").post(url(), plan_form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert OfficeDocument.objects.count() == before
    assert AuditEvent.objects.filter(action=AuditAction.DATA_CREATED).count() <= events


# --- Withdrawing ------------------------------------------------------------------------------


@pytest.fixture
def plan(heimdal) -> OfficeDocument:
    return office_document_record(
        user=user("leder.heimdal"),
        office=heimdal,
        kind=BUSINESS_PLAN,
        title="Plan som trekkes",
        year=TODAY.year,
        valid_from=TODAY,
    )


def withdraw_url(document) -> str:
    return reverse("offices:document-withdraw", args=[document.office.code, document.pk])


def test_the_leader_withdraws_a_plan_which_stays_in_the_history(client, plan):
    client = signed_in(client, "leder.heimdal")
    response = client.post(withdraw_url(plan))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_withdrawn
    assert plan.withdrawn_by == user("leder.heimdal")
    assert AuditEvent.objects.filter(
        action=AuditAction.DATA_CHANGED,
        object_id=str(plan.pk),
        object_type="offices.officedocument",
    ).exists()
    html = client.get(url()).content.decode()
    assert f'data-document="{plan.pk}" data-withdrawn="true"' in html
    # Twice: refused, nothing changes.
    first = plan.withdrawn_at
    assert client.post(withdraw_url(plan)).status_code == 302
    plan.refresh_from_db()
    assert plan.withdrawn_at == first


def test_staff_who_see_a_plan_get_403_for_withdrawing_it(client, plan):
    assert signed_in(client, "kommune.heimdal").post(withdraw_url(plan)).status_code == 403
    plan.refresh_from_db()
    assert not plan.is_withdrawn


def test_the_executive_may_not_withdraw_via_another_office(client, plan, demo_data):
    # A document is looked up within its office: another office's code does not reach it.
    wrong = reverse("offices:document-withdraw", args=["lerkendal", plan.pk])
    assert signed_in(client, "radmann.trondheim").post(wrong).status_code == 404


def test_withdrawing_needs_post(client, plan):
    assert signed_in(client, "leder.heimdal").get(withdraw_url(plan)).status_code == 405


def test_the_service_refuses_a_second_withdrawal(plan):
    from django.core.exceptions import ValidationError

    office_document_withdraw(user=user("leder.heimdal"), document=plan)
    with pytest.raises(ValidationError):
        office_document_withdraw(user=user("leder.heimdal"), document=plan)


# --- The office page ----------------------------------------------------------------------------


def test_the_office_page_shows_readiness_to_its_parties_only(client, heimdal):
    response = signed_in(client, "kommune.heimdal").get(reverse("offices:detail", args=["heimdal"]))
    html = response.content.decode()
    assert 'data-testid="readiness"' in html
    assert html.count('data-criterion="') == 11
    assert url() in html
    client.logout()
    for outsider in ("kommune.lerkendal", "fylkesdirektor.nordland"):
        response = signed_in(client, outsider).get(reverse("offices:detail", args=["heimdal"]))
        assert response.status_code == 200  # the office itself is reference data
        html = response.content.decode()
        assert 'data-testid="readiness"' not in html
        assert 'data-criterion="' not in html
        client.logout()


def test_the_office_page_links_the_access_review_only_for_reviewers(client, heimdal):
    review = reverse("access:review-office", args=["heimdal"])
    page = reverse("offices:detail", args=["heimdal"])
    assert review in signed_in(client, "leder.heimdal").get(page).content.decode()
    client.logout()
    assert review not in signed_in(client, "stat.heimdal").get(page).content.decode()
