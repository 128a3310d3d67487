"""The agreement pages (issue 9, item 7): the overview, one agreement with its versions, drafting
and editing, approving and rejecting for each party, new versions, and the compliance panel on
the office page — each for a party, for the office's staff (read only), for outsiders on the other
line (404) and for anonymous callers (sign-in)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.compliance import SOURCES
from agreements.content import content_hash
from agreements.models import (
    AgreementApproval,
    AgreementVersion,
    MunicipalService,
    VersionKind,
    VersionStatus,
)
from agreements.services import (
    CHANGED_MEANWHILE_BY,
    CONTENT_CHANGED,
    NOT_A_DRAFT,
    agreement_version_approve,
    agreement_version_new,
    agreement_version_update,
)
from users.models import User

pytestmark = pytest.mark.django_db

PARTIES = ["fylkesdirektor.nordland", "radmann.fauske"]
READERS = ["stat.indre-salten", "kommune.indre-salten", "radmann.saltdal"]
OUTSIDERS = ["radmann.trondheim", "fylkesdirektor.trondelag"]


def signed_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def version_url(version, name="agreements:version"):
    return reverse(name, kwargs={"pk": version.agreement_id, "number": version.number})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def approve(version, username):
    return agreement_version_approve(
        user=User.objects.get(username=username), version=version, seen_hash=content_hash(version)
    )


def edit_data(version, **overrides) -> dict:
    """The edit form as the page fills it for ``version``."""
    data = {
        "version": version.version,
        "valid_from": version.valid_from.strftime("%d.%m.%Y"),
        "valid_to": version.valid_to.strftime("%d.%m.%Y") if version.valid_to else "",
        "revision_due": version.revision_due.strftime("%d.%m.%Y") if version.revision_due else "",
        "signatories": version.signatories,
        "cooperation_meetings_per_year": version.cooperation_meetings_per_year,
        "partnership_meetings_per_year": version.partnership_meetings_per_year,
        "user_council_meetings_per_year": version.user_council_meetings_per_year,
    }
    for topic, section_text in version.sections.values_list("topic", "text"):
        data[f"section_{topic}"] = section_text
    for row in version.services.select_related("service"):
        data[f"service_{row.service.code}"] = "on"
        data[f"service_{row.service.code}_start"] = row.starts_on.strftime("%d.%m.%Y")
    data.update(overrides)
    return data


# --- Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", PARTIES + READERS + ["leder.indre-salten"])
def test_parties_and_the_offices_people_read_the_agreement(client, indre_salten_draft, username):
    signed_in(client, username)
    listed = client.get(reverse("agreements:list"))
    assert listed.status_code == 200
    assert "Partnerskapsavtale NAV Indre Salten" in text(listed)
    for url in (
        reverse("agreements:detail", kwargs={"pk": indre_salten_draft.agreement_id}),
        version_url(indre_salten_draft),
    ):
        page = client.get(url)
        assert page.status_code == 200, (username, url)
        html = text(page)
        assert content_hash(indre_salten_draft) in html
        assert "Partnerskapsavtale NAV Indre Salten" in html


@pytest.mark.parametrize("username", OUTSIDERS)
def test_the_other_lines_outsiders_get_404(client, indre_salten_draft, username):
    signed_in(client, username)
    assert "Indre Salten" not in text(client.get(reverse("agreements:list")))
    pk, number = indre_salten_draft.agreement_id, indre_salten_draft.number
    for name, kwargs, method in [
        ("agreements:detail", {"pk": pk}, "get"),
        ("agreements:version", {"pk": pk, "number": number}, "get"),
        ("agreements:version-edit", {"pk": pk, "number": number}, "get"),
        ("agreements:version-edit", {"pk": pk, "number": number}, "post"),
        ("agreements:version-approve", {"pk": pk, "number": number}, "post"),
        ("agreements:version-reject", {"pk": pk, "number": number}, "post"),
        ("agreements:version-new", {"pk": pk}, "post"),
        ("agreements:version-extend", {"pk": pk}, "post"),
        ("agreements:version-pdf", {"pk": pk, "number": number}, "post"),
    ]:
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, (username, name, method)
    assert not AgreementApproval.objects.filter(version=indre_salten_draft).exists()


def test_anonymous_callers_are_sent_to_sign_in(client, indre_salten_draft):
    for url in (
        reverse("agreements:list"),
        reverse("agreements:create"),
        reverse("agreements:detail", kwargs={"pk": indre_salten_draft.agreement_id}),
        version_url(indre_salten_draft),
        version_url(indre_salten_draft, "agreements:version-edit"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_read_but_get_no_buttons_and_403_for_actions(client, indre_salten_draft):
    signed_in(client, "stat.indre-salten")
    html = text(client.get(version_url(indre_salten_draft)))
    assert 'data-testid="decision-form"' not in html
    assert version_url(indre_salten_draft, "agreements:version-edit") not in html
    assert client.get(version_url(indre_salten_draft, "agreements:version-edit")).status_code == (
        403
    )
    posted = client.post(
        version_url(indre_salten_draft, "agreements:version-approve"),
        {"content_hash": content_hash(indre_salten_draft)},
    )
    assert posted.status_code == 403
    assert not AgreementApproval.objects.filter(version=indre_salten_draft).exists()
    # Staff draft nothing: the form is as absent as a forbidden object.
    assert client.get(reverse("agreements:create")).status_code == 404


def test_only_a_pending_party_gets_the_decision_buttons(client, indre_salten_draft):
    for username, shown in [
        ("fylkesdirektor.nordland", True),
        ("radmann.fauske", True),
        ("leder.indre-salten", False),  # drafts, but is no party
        ("radmann.saltdal", False),  # served, not the host: no party
    ]:
        signed_in(client, username)
        html = text(client.get(version_url(indre_salten_draft)))
        assert ('data-testid="decision-form"' in html) is shown, username
    approve(indre_salten_draft, "radmann.fauske")
    signed_in(client, "radmann.fauske")
    page = client.get(version_url(indre_salten_draft))
    html = text(page)
    assert 'data-testid="decision-form"' not in html  # decided already
    assert [party.side for party in page.context["pending"]] == ["state"]  # still pending
    assert str(page.context["pending"][0]) in html


# --- The overview ---------------------------------------------------------------------------------


def test_the_overview_filters_by_county_and_municipality(client, indre_salten_draft):
    signed_in(client, "fylkesdirektor.nordland")
    url = reverse("agreements:list")
    assert "Indre Salten" in text(client.get(url, {"county": "18"}))
    assert "Indre Salten" not in text(client.get(url, {"county": "50"}))
    assert "Indre Salten" in text(client.get(url, {"municipality": "1840"}))  # Saltdal, served
    assert "Indre Salten" not in text(client.get(url, {"municipality": "1804"}))  # Bodø
    assert "Indre Salten" in text(client.get(url, {"office": "indre-salten"}))
    assert client.get(url, {"county": "99"}).status_code == 400


def test_the_overview_shows_state_and_compliance_ending_soonest_first(
    client, people, offices, indre_salten_draft
):
    today = timezone.localdate()
    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    from agreements.services import agreement_draft

    bodo = agreement_draft(
        user=people["fylkesdirektor.nordland"],
        title="Avtale NAV Bodø",
        offices=[offices["bodo"]],
        valid_from=today,
        valid_to=today + datetime.timedelta(days=30),
    )
    assert bodo.is_draft  # Bodø's executive is not among the demo people: it stays a draft
    signed_in(client, "fylkesdirektor.nordland")
    response = client.get(reverse("agreements:list"))
    html = text(response)
    rows = response.context["page"].object_list
    states = [(row["agreement"].title, row["state"]) for row in rows]
    assert states == [
        ("Partnerskapsavtale NAV Indre Salten", "in_force"),
        ("Avtale NAV Bodø", "draft"),
    ]
    # Each office's compliance, with its word and its symbol.
    assert 'data-severity="' in html
    assert "✓" in html or "✕" in html or "!" in html


def test_the_overviews_queries_do_not_grow_with_agreements_and_versions(
    client, people, offices, indre_salten_draft, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, "fylkesdirektor.nordland")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("agreements:list")).status_code == 200
        return len(captured)

    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    before = queries()
    director = people["fylkesdirektor.nordland"]
    agreement_version_new(user=director, agreement=indre_salten_draft.agreement)
    from agreements.services import agreement_draft

    today = timezone.localdate()
    for code in ("bodo", "narvik"):
        agreement_draft(
            user=director, title=f"Avtale {code}", offices=[offices[code]], valid_from=today
        )
    after = queries()
    assert len(client.get(reverse("agreements:list")).context["page"].object_list) == 3
    assert after == before


# --- Drafting and editing -------------------------------------------------------------------------


def test_a_party_drafts_an_agreement_with_the_minimum_services(client, offices):
    signed_in(client, "radmann.fauske")
    form = client.get(reverse("agreements:create"))
    assert form.status_code == 200
    offered = {office.code for office in form.context["form"].fields["offices"].queryset}
    assert offered == {"indre-salten"}
    response = client.post(
        reverse("agreements:create"),
        {
            "offices": [offices["indre-salten"].pk],
            "title": "Partnerskapsavtale Fauske",
            "valid_from": "01.01.2030",
            "valid_to": "31.12.2033",
            "revision_due": "",
        },
    )
    version = AgreementVersion.objects.get(agreement__title="Partnerskapsavtale Fauske")
    assert response.status_code == 302
    assert response["Location"] == version_url(version, "agreements:version-edit")
    assert version.valid_to == datetime.date(2033, 12, 31)
    assert set(version.services.values_list("service__is_minimum", flat=True)) == {True}
    assert version.services.count() == MunicipalService.objects.filter(is_minimum=True).count()


def test_a_draft_refused_by_the_service_says_why(client, offices):
    signed_in(client, "fylkesdirektor.nordland")
    response = client.post(
        reverse("agreements:create"),
        {
            "offices": [offices["indre-salten"].pk],
            "title": "Avtale",
            "valid_from": "31.12.2030",
            "valid_to": "01.01.2030",
        },
    )
    assert response.status_code == 400
    assert "error-summary" in text(response)
    assert not AgreementVersion.objects.filter(agreement__title="Avtale").exists()
    # An office outside the drafter's reach is not even a choice.
    response = client.post(
        reverse("agreements:create"),
        {"offices": [offices["heimdal"].pk], "title": "Avtale", "valid_from": "01.01.2030"},
    )
    assert response.status_code == 400
    assert "offices" in response.context["form"].errors


def test_editing_a_draft_saves_sections_services_and_dates(client, indre_salten_draft):
    signed_in(client, "leder.indre-salten")
    page = client.get(version_url(indre_salten_draft, "agreements:version-edit"))
    assert page.status_code == 200
    debt = MunicipalService.objects.filter(is_minimum=False).first()
    data = edit_data(
        indre_salten_draft,
        section_location="Kontoret ligger i Fauske sentrum.",
        valid_to="31.12.2031",
        **{f"service_{debt.code}": "on", f"service_{debt.code}_start": ""},
    )
    response = client.post(version_url(indre_salten_draft, "agreements:version-edit"), data)
    assert response.status_code == 302, response.context["form"].errors
    version = AgreementVersion.objects.get(pk=indre_salten_draft.pk)
    assert version.version == indre_salten_draft.version + 1
    assert version.valid_to == datetime.date(2031, 12, 31)
    assert version.sections.get(topic="location").text == "Kontoret ligger i Fauske sentrum."
    assert version.services.get(service=debt).starts_on == version.valid_from


def test_removing_a_minimum_service_is_allowed_with_a_warning(client, indre_salten_draft):
    signed_in(client, "leder.indre-salten")
    minimum = MunicipalService.objects.filter(is_minimum=True).first()
    data = edit_data(indre_salten_draft)
    del data[f"service_{minimum.code}"]
    response = client.post(version_url(indre_salten_draft, "agreements:version-edit"), data)
    assert response.status_code == 302
    assert not indre_salten_draft.services.filter(service=minimum).exists()
    # The version page warns, and so does the approve step, naming the service.
    signed_in(client, "radmann.fauske")
    html = text(client.get(version_url(indre_salten_draft)))
    assert 'data-testid="minimum-warning"' in html
    assert 'id="approve-warning"' in html
    assert minimum.name in html


def test_a_stale_edit_is_refused_naming_who_changed_it(client, people, indre_salten_draft):
    signed_in(client, "leder.indre-salten")
    seen = edit_data(indre_salten_draft, section_goals="Min tekst.")
    agreement_version_update(
        user=people["fylkesdirektor.nordland"],
        version=indre_salten_draft,
        expected_version=indre_salten_draft.version,
        sections={"goals": "Fylkesdirektørens tekst."},
    )
    response = client.post(version_url(indre_salten_draft, "agreements:version-edit"), seen)
    assert response.status_code == 400
    # The service's message, naming the director (Finn Johansen), in the error summary.
    summary = text(response).split('id="error-summary"')[1].split("</ul>")[0]
    with translation.override("nb"):
        expected = _(CHANGED_MEANWHILE_BY) % {"name": "Finn Johansen"}
    assert expected in summary.replace("&#x27;", "'")
    assert indre_salten_draft.sections.get(topic="goals").text == "Fylkesdirektørens tekst."


def test_a_version_in_force_is_not_edited(client, indre_salten_draft):
    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    signed_in(client, "leder.indre-salten")
    url = version_url(indre_salten_draft, "agreements:version-edit")
    response = client.get(url)
    assert response.status_code == 302
    response = client.post(url, edit_data(indre_salten_draft), follow=True)
    assert indre_salten_draft.sections.count() == 14
    with translation.override("nb"):
        assert _(NOT_A_DRAFT) in text(response).replace("&#x27;", "'")


def test_a_new_version_and_an_extension_from_the_page(client, indre_salten_draft):
    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    signed_in(client, "fylkesdirektor.nordland")
    page = text(client.get(version_url(indre_salten_draft)))
    assert 'data-testid="new-version"' in page
    agreement = indre_salten_draft.agreement
    response = client.post(reverse("agreements:version-new", kwargs={"pk": agreement.pk}))
    revision = agreement.versions.get(number=2)
    assert response["Location"] == version_url(revision, "agreements:version-edit")
    assert revision.kind == VersionKind.REVISION
    # One draft at a time: the second is refused with the service's message.
    end = indre_salten_draft.valid_to + datetime.timedelta(days=365)
    response = client.post(
        reverse("agreements:version-extend", kwargs={"pk": agreement.pk}),
        {"valid_to": end.strftime("%d.%m.%Y")},
    )
    assert response.status_code == 400
    assert agreement.versions.count() == 2
    revision.delete()
    response = client.post(
        reverse("agreements:version-extend", kwargs={"pk": agreement.pk}),
        {"valid_to": end.strftime("%d.%m.%Y")},
    )
    extension = agreement.versions.get(kind=VersionKind.EXTENSION)
    assert response.status_code == 302
    assert extension.valid_to == end
    # The page of the extension shows what changed from the version it is based on.
    html = text(client.get(version_url(extension)))
    assert 'data-testid="diff"' in html
    assert end.strftime("%d.%m.%Y") in html


def test_the_difference_is_marked_up_for_eyes_and_screen_readers(
    client, people, indre_salten_draft
):
    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    director = people["fylkesdirektor.nordland"]
    revision = agreement_version_new(user=director, agreement=indre_salten_draft.agreement)
    old = indre_salten_draft.sections.get(topic="goals").text
    agreement_version_update(
        user=director,
        version=revision,
        expected_version=revision.version,
        sections={
            **dict(revision.sections.values_list("topic", "text")),
            "goals": old.replace("avtalt", "revidert"),
        },
    )
    signed_in(client, "radmann.fauske")
    html = text(client.get(version_url(revision)))
    assert re.search(r"<del><span class=\"sr-only\">[^<]+</span>avtalt", html)
    assert re.search(r"<ins><span class=\"sr-only\">[^<]+</span>revidert", html)


# --- Deciding -------------------------------------------------------------------------------------


def test_both_parties_approve_on_the_page_and_it_binds(client, indre_salten_draft):
    url = version_url(indre_salten_draft, "agreements:version-approve")
    for username in PARTIES:
        signed_in(client, username)
        page = client.get(version_url(indre_salten_draft))
        digest = page.context["digest"]
        response = client.post(url, {"content_hash": digest})
        assert response.status_code == 302, text(response)
    version = AgreementVersion.objects.get(pk=indre_salten_draft.pk)
    assert version.status == VersionStatus.APPROVED
    html = text(client.get(version_url(version)))
    assert version.content_hash in html
    assert html.count(version.content_hash) >= 3  # the version's, and each approval's


def test_approving_with_a_stale_hash_is_refused_with_a_clear_message(
    client, people, indre_salten_draft
):
    signed_in(client, "radmann.fauske")
    seen = client.get(version_url(indre_salten_draft)).context["digest"]
    agreement_version_update(
        user=people["leder.indre-salten"],
        version=indre_salten_draft,
        expected_version=indre_salten_draft.version,
        changes={"signatories": "Rådmann\nFylkesdirektør\nNAV-leder"},
    )
    response = client.post(
        version_url(indre_salten_draft, "agreements:version-approve"), {"content_hash": seen}
    )
    assert response.status_code == 400
    with translation.override("nb"):
        assert _(CONTENT_CHANGED) in text(response).replace("&#x27;", "'")
    assert not AgreementApproval.objects.filter(version=indre_salten_draft).exists()
    # The page shown with the refusal carries the new content's hash for the next try.
    indre_salten_draft.refresh_from_db()
    assert response.context["digest"] == content_hash(indre_salten_draft)
    assert f'value="{content_hash(indre_salten_draft)}"' in text(response)


def test_rejecting_needs_a_comment(client, indre_salten_draft):
    signed_in(client, "fylkesdirektor.nordland")
    url = version_url(indre_salten_draft, "agreements:version-reject")
    digest = content_hash(indre_salten_draft)
    assert client.post(url, {"content_hash": digest, "comment": " "}).status_code == 400
    assert not AgreementApproval.objects.exists()
    response = client.post(url, {"content_hash": digest, "comment": "Kostnadsnøkkelen mangler."})
    assert response.status_code == 302
    rejection = AgreementApproval.objects.get(version=indre_salten_draft)
    assert rejection.decision == "rejected"
    html = text(client.get(version_url(indre_salten_draft)))
    assert "Kostnadsnøkkelen mangler." in html


def test_approving_twice_is_refused(client, indre_salten_draft):
    signed_in(client, "radmann.fauske")
    url = version_url(indre_salten_draft, "agreements:version-approve")
    digest = content_hash(indre_salten_draft)
    assert client.post(url, {"content_hash": digest}).status_code == 302
    assert client.post(url, {"content_hash": digest}).status_code == 400
    assert AgreementApproval.objects.filter(version=indre_salten_draft).count() == 1


# --- The office page's compliance panel -----------------------------------------------------------


def test_the_office_page_shows_compliance_to_those_who_see_joint_data(
    client, people, indre_salten_draft
):
    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    url = reverse("offices:detail", kwargs={"code": "indre-salten"})
    signed_in(client, "stat.indre-salten")
    html = text(client.get(url))
    assert 'data-testid="compliance"' in html
    assert 'data-check="agreement_in_force"' in html
    assert 'data-check="cost_key"' in html
    assert version_url(indre_salten_draft) in html
    # Each finding: a word and a symbol, its message and its source.
    assert "✓" in html and "!" in html
    with translation.override("nb"):
        assert _(SOURCES["agreement_in_force"]) in html.replace("&#x27;", "'")


def test_the_office_page_shows_no_compliance_to_others(client, offices):
    signed_in(client, "radmann.trondheim")
    response = client.get(reverse("offices:detail", kwargs={"code": "indre-salten"}))
    if response.status_code == 200:
        assert 'data-testid="compliance"' not in text(response)
    else:
        assert response.status_code == 404


def test_the_panel_says_so_when_no_agreement_is_in_force(client, offices):
    signed_in(client, "leder.indre-salten")
    html = text(client.get(reverse("offices:detail", kwargs={"code": "indre-salten"})))
    assert 'data-check="agreement_in_force"' in html
    assert 'data-severity="error"' in html
    # The leader drafts: the panel offers the form, with the office chosen.
    link = f"{reverse('agreements:create')}?office=indre-salten"
    assert link in html
    form = client.get(link).context["form"]
    assert [office.code for office in form.initial["offices"]] == ["indre-salten"]
    assert re.search(r'value="\d+" checked', text(client.get(link)))
    signed_in(client, "stat.indre-salten")
    html = text(client.get(reverse("offices:detail", kwargs={"code": "indre-salten"})))
    assert 'data-check="agreement_in_force"' in html
    assert link not in html  # staff draft nothing


def test_the_menu_offers_the_agreements_to_those_whose_role_reaches_an_office(client, demo_data):
    from tests import factories
    from users.models import Role, RoleAssignment

    signed_in(client, "stat.indre-salten")
    menu = {item.url for item in client.get(reverse("home")).context["shell"].menu}
    assert reverse("agreements:list") in menu
    admin = factories.UserFactory()
    RoleAssignment.objects.create(user=admin, role=Role.NATIONAL_ADMIN)
    client.force_login(admin)
    menu = {item.url for item in client.get(reverse("home")).context["shell"].menu}
    assert reverse("agreements:list") not in menu
