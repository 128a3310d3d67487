"""Issue 8, findings 6 and 8: one Norwegian form for dates and times, an inclusive end shown as
the day the person entered, one kind of date input, and errors the Aksel way (a summary that
takes focus, links to each field, messages that say what to do)."""

import csv
import datetime
import io
import re

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from navpartner.templatetags.dates import last_day, until_text
from offices.models import Office
from users.models import Delegation, RoleAssignment, User
from users.services import END_IN_PAST, END_TOO_LATE, end_of_day

DELEGATION_URL = reverse("access:delegation-create")
ROLE_URL = reverse("access:role-create")
GENERIC = ("Dette feltet er påkrevd", "Vennligst", "This field is required", "Select a valid")


def user(username: str) -> User:
    return User.objects.get(username=username)


def render(source: str, **context) -> str:
    return Template("{% load dates %}" + source).render(Context(context))


# --- Formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
def test_dates_and_times_have_one_norwegian_form(language):
    moment = datetime.datetime(2026, 12, 31, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Oslo
    with translation.override(language):
        assert render("{{ d|date }}", d=moment.date()) == "31.12.2026"
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=moment) == "31.12.2026"
        assert render('{{ d|date:"SHORT_DATETIME_FORMAT" }}', d=moment) == "31.12.2026 14:05"
        assert render('{{ d|date:"DATETIME_FORMAT" }}', d=moment) == "31.12.2026 14:05"
        assert render("{{ d|time }}", d=moment) == "14:05"


def test_the_time_zone_is_oslo(settings):
    assert settings.TIME_ZONE == "Europe/Oslo" and settings.USE_TZ


# --- An inclusive end, shown as the day entered -----------------------------------------------


def test_a_midnight_end_is_the_day_before():
    entered = datetime.date(2026, 12, 31)
    end = end_of_day(entered)  # 01.01.2027 00:00, Oslo
    assert last_day(end) == entered
    with translation.override("nb"):
        assert until_text(end) == "til og med 31.12.2026"
        assert render("{{ end|until }}", end=end) == "til og med 31.12.2026"
    with translation.override("en"):
        assert until_text(end) == "through 31.12.2026"


def test_an_end_during_the_day_is_the_moment():
    revoked = datetime.datetime(2026, 12, 4, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Oslo
    assert last_day(revoked) is None
    with translation.override("nb"):
        assert until_text(revoked) == "til 04.12.2026 14:05"
    assert until_text(None) == ""


def test_summer_time_does_not_move_the_day():
    entered = datetime.date(2026, 7, 31)  # UTC+2
    assert last_day(end_of_day(entered)) == entered
    assert last_day(end_of_day(datetime.date(2026, 3, 28))) == datetime.date(2026, 3, 28)


def test_a_delegation_is_shown_back_as_the_last_day_entered(client, demo_data):
    """ "gyldig til og med 31.12.2026" was shown as "…–01.01.2027 00:00"."""
    client.force_login(user("fylkesdirektor.trondelag"))
    entered = timezone.localdate() + datetime.timedelta(days=40)
    typed = entered.strftime("%d.%m.%Y")
    response = client.post(
        DELEGATION_URL,
        {
            "grantee": "stat.lerkendal",
            "office": "heimdal",
            "side": "state",
            "level": "view",
            "basis": "delegasjonsvedtak 2026-40",
            "valid_to": typed,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    delegation = Delegation.objects.get(basis="delegasjonsvedtak 2026-40")
    day_after = (entered + datetime.timedelta(days=1)).strftime("%d.%m.%Y")
    listing = client.get(reverse("access:delegation-list")).content.decode()
    row = re.search(rf'data-delegation="{delegation.pk}".*?</tr>', listing, re.S).group(0)
    assert f"til og med {typed}" in row
    assert day_after not in row and "00:00" not in row
    review = client.get(reverse("access:review-office", args=["heimdal"])).content.decode()
    assert f"til og med {typed}" in review
    csv_body = client.get(reverse("access:review-office-csv", args=["heimdal"])).content
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig")), delimiter=";"))
    ends = [r[-1] for r in rows if r[3] == "stat.lerkendal" and r[-1]]
    assert ends == [f"til og med {typed}"]
    # The API keeps its fields: the instant it stops holding.
    assert delegation.valid_to == end_of_day(entered)


def test_a_role_with_an_end_is_shown_back_as_the_last_day(client, demo_data):
    client.force_login(user("leder.heimdal"))
    entered = timezone.localdate() + datetime.timedelta(days=10)
    typed = entered.strftime("%d.%m.%Y")
    response = client.post(
        ROLE_URL,
        {"role": "office_staff", "user": "stat.lerkendal", "office": "heimdal", "valid_to": typed},
    )
    assert response.status_code == 302, response.context["form"].errors
    assignment = RoleAssignment.objects.get(user__username="stat.lerkendal", office__code="heimdal")
    listing = client.get(reverse("access:role-list")).content.decode()
    row = re.search(rf'data-role="{assignment.pk}".*?</tr>', listing, re.S).group(0)
    assert f"til og med {typed}" in row


def test_the_audit_log_shows_no_iso_timestamps(client, demo_data):
    client.force_login(user("leder.heimdal"))
    body = client.get(reverse("access:audit-list")).content.decode()
    shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", body)
    assert shown
    for text in shown:
        assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", text), text


# --- One kind of date input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("fylkesdirektor.trondelag", DELEGATION_URL),
        ("leder.heimdal", ROLE_URL),
        ("leder.heimdal", reverse("access:audit-list")),
    ],
)
def test_every_date_field_is_a_text_field_for_dd_mm_yyyy(client, demo_data, username, url):
    client.force_login(user(username))
    body = client.get(url).content.decode()
    assert 'type="date"' not in body
    inputs = re.findall(r'<input[^>]*class="[^"]*app-date-input[^"]*"[^>]*>', body)
    assert inputs, url
    for field in inputs:
        assert 'type="text"' in field
    assert "dd.mm.åååå" in body


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [("31.12.2026", True), ("2026-12-31", True), ("1.2.2027", True), ("31/12/2026", False)],
)
def test_a_date_is_typed_as_dd_mm_yyyy(client, demo_data, typed, accepted):
    client.force_login(user("leder.heimdal"))
    response = client.get(reverse("access:audit-list"), {"date_from": typed})
    if accepted:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        errors = response.context["filter"].form.errors["date_from"]
        assert errors == ["Skriv datoen som dd.mm.åååå, for eksempel 31.12.2026."]


# --- Errors the Aksel way -------------------------------------------------------------------


def summary_links(body: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="aksel-error-summary".*?</div>', body, re.S).group(0)
    return re.findall(r'<a class="aksel-link" href="#([^"]+)">([^<]+)</a>', summary)


def assert_each_link_leads_to_its_field(body: str) -> list[str]:
    links = summary_links(body)
    assert links
    for target, _message in links:
        assert f'id="{target}"' in body, target
    return [message for _target, message in links]


def test_an_empty_delegation_form_says_what_to_do(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    response = client.post(DELEGATION_URL, {"side": "state"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body and 'tabindex="-1"' in body
    assert "data-focus-on-load" in body and "js/error-summary.js" in body
    messages = assert_each_link_leads_to_its_field(body)
    assert messages == [
        "Velg hvem som skal få tilgangen.",
        "Velg kontoret.",
        "Velg om personen bare skal se eller også endre.",
        "Skriv vedtaket som delegeringen bygger på.",
        "Velg siste dag delegeringen skal gjelde.",
    ]
    assert not any(text in body for text in GENERIC)


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, END_IN_PAST), (0, None), (400, END_TOO_LATE)],
)
def test_the_end_date_message_says_what_to_choose(client, demo_data, days, message):
    client.force_login(user("fylkesdirektor.trondelag"))
    response = client.post(
        DELEGATION_URL,
        {
            "grantee": "stat.lerkendal",
            "office": "heimdal",
            "side": "state",
            "level": "view",
            "basis": "vedtak",
            "valid_to": (timezone.localdate() + datetime.timedelta(days=days)).strftime("%d.%m.%Y"),
        },
    )
    if message is None:
        assert response.status_code == 302  # today, inclusive: holds until midnight
        return
    assert response.status_code == 400
    with translation.override("nb"):
        expected = translation.gettext(message)
    assert response.context["form"].errors["valid_to"] == [expected]
    assert expected.startswith("Velg en sluttdato")


def test_an_empty_role_form_says_what_to_do(client, demo_data):
    client.force_login(user("leder.heimdal"))
    response = client.post(ROLE_URL, {"role": "office_staff", "valid_to": "i morgen"})
    assert response.status_code == 400
    body = response.content.decode()
    assert assert_each_link_leads_to_its_field(body) == [
        "Velg hvem som skal ha rollen.",
        "Velg kontoret.",
        "Skriv datoen som dd.mm.åååå, for eksempel 31.12.2026.",
    ]
    assert not any(text in body for text in GENERIC)


def test_the_role_step_links_to_the_radio_group(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    response = client.get(ROLE_URL, {"step": "role"})
    assert response.status_code == 400
    body = response.content.decode()
    assert assert_each_link_leads_to_its_field(body) == ["Velg hvilken rolle du vil tildele."]
    assert '<fieldset class="aksel-fieldset' in body and 'id="id_role"' in body


def test_a_note_without_a_title_says_write_a_title(client, demo_data):
    client.force_login(user("leder.heimdal"))
    response = client.post(reverse("offices:notes", args=["heimdal"]), {"side": "state"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv en tittel." in assert_each_link_leads_to_its_field(body)
    assert Office.objects.filter(code="heimdal").exists()


@override_settings(LANGUAGE_CODE="nb")
def test_sign_in_says_what_is_missing(client, demo_data):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    body = response.content.decode()
    assert "Skriv brukernavnet ditt." in body and "Skriv passordet ditt." in body
    assert not any(text in body for text in GENERIC)
