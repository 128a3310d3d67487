"""The report pipeline: request → queue on commit → render with WeasyPrint → store → download.

These run with eager Celery (the embedded default); test_real_worker.py sends a report through
the real worker in CI.
"""

import dataclasses
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader
from rest_framework.test import APIClient

from offices.models import Office
from reports import definitions
from reports.definitions import UNKNOWN_KIND, UNKNOWN_OFFICE
from reports.models import ReportKind, ReportRequest, ReportStatus
from reports.services import RENDER_FAILED, report_render, report_request_create
from tests import factories
from users.models import User

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def requester(demo_data):
    return User.objects.get(username="radmann.fauske")


def make_fact_sheet(user, code="indre-salten", *, capture) -> ReportRequest:
    with capture(execute=True):
        report = report_request_create(
            user=user, kind=ReportKind.OFFICE_FACT_SHEET, parameters={"office": code}
        )
    report.refresh_from_db()
    return report


def pdf_text(report: ReportRequest) -> str:
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_fact_sheet_is_rendered_after_commit(requester, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request_create(
            user=requester,
            kind=ReportKind.OFFICE_FACT_SHEET,
            parameters={"office": "indre-salten"},
        )
    # Nothing runs before the request's transaction commits.
    assert report.status == ReportStatus.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.started_at <= report.finished_at
    assert report.attempts == 1
    assert report.rendered_by
    assert report.file_size > 1000


def test_fact_sheet_content(requester, django_capture_on_commit_callbacks):
    with translation.override("nb"):
        report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    with report.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    # A4 is 595 × 842 points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pdf_text(report)
    assert "NAV Indre Salten" in text
    assert "Nordland" in text
    for name in ("Fauske", "Saltdal", "Sørfold", "Beiarn", "Hamarøy"):
        assert name in text
    assert "Vertskommune" in text
    assert "Side 1 av 1" in text  # the page counter in the footer
    # PDF/A-2a: the XMP metadata declares part 2, conformance A; an output intent is present.
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp
    assert b'pdfaid:conformance="A"' in xmp
    assert "/OutputIntents" in root
    assert root["/Lang"] == "nb"


# Words only the English fact sheet has, and their bokmål counterparts (locale/nb).
FACT_SHEET_WORDS = {
    "en": ["Fact sheet", "Host municipality", "Municipalities served", "Page 1 of 1"],
    "nb": ["Faktaark", "Vertskommune", "Kommuner som betjenes", "Side 1 av 1"],
}


@pytest.mark.parametrize(("chosen", "other"), [("en", "nb"), ("nb", "en")])
def test_fact_sheet_is_in_the_language_chosen_when_requested(
    requester, django_capture_on_commit_callbacks, chosen, other
):
    """The requester's language at request time, even if the worker runs under another one."""
    with (
        translation.override(chosen),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        report = report_request_create(
            user=requester,
            kind=ReportKind.OFFICE_FACT_SHEET,
            parameters={"office": "indre-salten"},
        )
    assert report.language == chosen
    with translation.override(other):
        for callback in callbacks:
            callback()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    text = pdf_text(report)
    for words in FACT_SHEET_WORDS[chosen]:
        assert words in text, (chosen, words)
    for words in FACT_SHEET_WORDS[other]:
        assert words not in text, (chosen, words)
    with report.file.open("rb") as handle:
        assert PdfReader(io.BytesIO(handle.read())).trailer["/Root"]["/Lang"] == chosen


def test_rendering_twice_does_nothing_more(requester, django_capture_on_commit_callbacks):
    report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    first_file = report.file.name
    assert report_render(report_id=report.id) is None
    report.refresh_from_db()
    assert report.attempts == 1
    assert report.file.name == first_file


def test_unknown_kind_or_office_is_refused_and_nothing_stored(requester):
    with pytest.raises(ValidationError) as error:
        report_request_create(user=requester, kind="nope", parameters={"office": "heimdal"})
    assert error.value.message_dict == {"kind": [_(UNKNOWN_KIND)]}
    with pytest.raises(ValidationError) as error:
        report_request_create(
            user=requester, kind=ReportKind.OFFICE_FACT_SHEET, parameters={"office": "nope"}
        )
    assert error.value.message_dict == {"office": [_(UNKNOWN_OFFICE)]}
    assert not ReportRequest.objects.exists()


def test_office_gone_before_rendering_fails_readably(requester, django_capture_on_commit_callbacks):
    office = factories.OfficeFactory(code="short-lived")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request_create(
            user=requester, kind=ReportKind.OFFICE_FACT_SHEET, parameters={"office": office.code}
        )
    Office.objects.filter(pk=office.pk).delete()
    callbacks[0]()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "short-lived" in report.error
    assert not report.file
    assert report.finished_at is not None


def test_a_broken_template_fails_readably_without_a_file(
    requester, django_capture_on_commit_callbacks, monkeypatch
):
    broken = dataclasses.replace(
        definitions.DEFINITIONS[ReportKind.OFFICE_FACT_SHEET],
        template_name="reports/pdf/does-not-exist.html",
    )
    monkeypatch.setitem(definitions.DEFINITIONS, ReportKind.OFFICE_FACT_SHEET, broken)
    report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.FAILED
    assert report.error == _(RENDER_FAILED) % {"id": report.id}
    assert not report.file


# --- pages -------------------------------------------------------------------------------------


def test_page_flow_request_follow_download(client, requester, django_capture_on_commit_callbacks):
    client.force_login(requester)
    # The embedded default renders right after the request's commit, in the same process.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:list"), {"kind": "office_fact_sheet", "office": "indre-salten"}
        )
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    assert response["Location"] == reverse("reports:detail", args=[report.id])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert reverse("reports:download", args=[report.id]).encode() in page.content
    status = client.get(reverse("reports:status", args=[report.id])).json()
    assert status["status"] == "done"
    download = client.get(reverse("reports:download", args=[report.id]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_page_rejects_unknown_office_with_a_message(client, requester):
    client.force_login(requester)
    response = client.post(reverse("reports:list"), {"kind": "office_fact_sheet", "office": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["office"]
    assert not ReportRequest.objects.exists()


def test_other_users_and_anonymous_get_nothing(
    client, requester, django_capture_on_commit_callbacks
):
    report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    urls = [
        reverse(name, args=[report.id])
        for name in ("reports:detail", "reports:status", "reports:download")
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302  # anonymous: to sign-in
    for username in ("radmann.saltdal", "fylkesdirektor.nordland", "admin"):
        client.force_login(User.objects.get(username=username))
        for url in urls:
            assert client.get(url).status_code == 404, (username, url)
        assert report.id not in [
            r.id for r in client.get(reverse("reports:list")).context["reports"]
        ]


def test_malformed_report_id_is_404(client, requester):
    client.force_login(requester)
    assert client.get("/rapporter/not-a-uuid/").status_code == 404


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(requester):
    client = APIClient()
    client.force_authenticate(requester)
    return client


def test_api_post_answers_202_with_the_report_url(api):
    response = api.post(
        "/api/v1/reports/",
        {"kind": "office_fact_sheet", "parameters": {"office": "indre-salten"}},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/reports/{body['id']}/")
    # The test client's transaction is rolled back, not committed: the report is queued.
    assert body["status"] == "queued"
    assert body["download_url"] is None


def test_api_status_and_download_when_done(api, requester, django_capture_on_commit_callbacks):
    report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    body = api.get(f"/api/v1/reports/{report.id}/").json()
    assert body["status"] == "done"
    assert body["download_url"].endswith(f"/api/v1/reports/{report.id}/download/")
    download = api.get(body["download_url"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    listed = api.get("/api/v1/reports/").json()
    assert [r["id"] for r in listed["results"]] == [str(report.id)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "office_fact_sheet", "parameters": {"office": "nope"}}, "parameters.office"),
        ({"kind": "nope", "parameters": {"office": "heimdal"}}, "kind"),
        ({"kind": "office_fact_sheet"}, "parameters"),
        ({"kind": "office_fact_sheet", "parameters": {"office": "not a slug!"}}, "parameters"),
    ],
)
def test_api_bad_input_is_400_per_field_and_stores_nothing(api, payload, field):
    response = api.post("/api/v1/reports/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ReportRequest.objects.exists()


def test_api_reports_of_others_are_404(requester, django_capture_on_commit_callbacks):
    report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    other = APIClient()
    other.force_authenticate(User.objects.get(username="radmann.saltdal"))
    assert other.get(f"/api/v1/reports/{report.id}/").status_code == 404
    assert other.get(f"/api/v1/reports/{report.id}/download/").status_code == 404
    assert other.get("/api/v1/reports/").json()["count"] == 0
    assert APIClient().get(f"/api/v1/reports/{report.id}/").status_code == 401


def test_api_download_before_done_is_404(api, requester):
    report = ReportRequest.objects.create(
        kind=ReportKind.OFFICE_FACT_SHEET, parameters={"office": "heimdal"}, requested_by=requester
    )
    assert api.get(f"/api/v1/reports/{report.id}/download/").status_code == 404


def test_a_done_report_whose_file_vanished_is_404_not_500(
    client, requester, django_capture_on_commit_callbacks
):
    report = make_fact_sheet(requester, capture=django_capture_on_commit_callbacks)
    report.file.storage.delete(report.file.name)
    client.force_login(requester)
    assert client.get(reverse("reports:download", args=[report.id])).status_code == 404
