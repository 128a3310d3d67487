"""The agreement PDF (issue 9, item 9): asked for on the version page, rendered by the report
pipeline as PDF/A-2b, with the agreement, offices, parties, sections, services, cost key and the
decisions with their dates and content hashes — and only for those who may see the version."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from agreements.content import content_hash
from agreements.reports import AgreementVersionReport
from agreements.services import agreement_version_approve, operating_agreement_save
from reports.models import ReportKind, ReportRequest, ReportStatus
from reports.services import report_request_create
from users.models import User

pytestmark = pytest.mark.django_db


def approve(version, username):
    return agreement_version_approve(
        user=User.objects.get(username=username), version=version, seen_hash=content_hash(version)
    )


def pdf_text(report: ReportRequest) -> tuple[bytes, str]:
    with report.file.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return data, re.sub(r"\s+", " ", text)


@pytest.fixture
def binding(people, indre_salten_draft):
    agreement = indre_salten_draft.agreement
    operating_agreement_save(
        user=people["fylkesdirektor.nordland"],
        agreement=agreement,
        shares=[("state", None, 60), ("municipal", agreement.municipalities.get(), 40)],
        rent_nok_per_year=1200000,
    )
    approve(indre_salten_draft, "radmann.fauske")
    approve(indre_salten_draft, "fylkesdirektor.nordland")
    indre_salten_draft.refresh_from_db()
    return indre_salten_draft


def test_the_pdf_is_asked_for_on_the_page_and_holds_the_agreement(
    client, binding, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.get(username="radmann.fauske"))
    url = reverse(
        "agreements:version-pdf", kwargs={"pk": binding.agreement_id, "number": binding.number}
    )
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    report = ReportRequest.objects.get(kind=ReportKind.AGREEMENT_VERSION)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"report_id": report.id})
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.parameters == {"version": binding.pk}
    assert "Partnerskapsavtale NAV Indre Salten" in report.subject
    data, text = pdf_text(report)
    assert data.startswith(b"%PDF-")
    # PDF/A-2a (agreements are archived): the base's XMP metadata and output intent.
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="A"' in xmp
    assert "/OutputIntents" in root
    assert "Partnerskapsavtale NAV Indre Salten" in text
    assert "NAV Indre Salten" in text
    assert "Fauske" in text
    assert "Nordland" in text
    governance = binding.sections.get(topic="governance").text  # conftest's text
    assert governance in text
    assert "60 %" in text and "40 %" in text  # the cost key
    assert "Randi" in text and "Finn" in text  # who approved
    # The hash is printed whole (it may be broken across lines, hence without spaces).
    assert binding.content_hash in text.replace(" ", "")
    assert binding.approved_at.astimezone().strftime("%d.%m.%Y") in text


def test_outsiders_cannot_ask_for_the_pdf(binding):
    for username in ("radmann.trondheim", "fylkesdirektor.trondelag"):
        with pytest.raises(ValidationError) as refused:
            report_request_create(
                user=User.objects.get(username=username),
                kind=ReportKind.AGREEMENT_VERSION,
                parameters={"version": binding.pk},
            )
        assert "version" in refused.value.message_dict
    assert not ReportRequest.objects.filter(kind=ReportKind.AGREEMENT_VERSION).exists()


@pytest.mark.parametrize("parameters", [{}, {"version": "x"}, {"version": True}, {"office": "a"}])
def test_bad_parameters_are_refused(binding, parameters):
    with pytest.raises(ValidationError):
        AgreementVersionReport().clean_parameters(
            user=User.objects.get(username="radmann.fauske"), parameters=parameters
        )


def test_the_content_is_read_with_the_requesters_visibility(binding):
    """The renderer checks again: a requester who lost sight of the version gets a failed
    report with a reason, never the content."""
    from reports.definitions import ReportContentUnavailable

    staff = User.objects.get(username="stat.indre-salten")
    context = AgreementVersionReport().context(user=staff, parameters={"version": binding.pk})
    assert context["digest"] == binding.content_hash
    assert [row["approved"] for row in context["parties"]] == [True, True]
    outsider = User.objects.get(username="radmann.trondheim")
    with pytest.raises(ReportContentUnavailable):
        AgreementVersionReport().context(user=outsider, parameters={"version": binding.pk})


def test_the_pdf_is_asked_for_through_the_reports_api(binding, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(User.objects.get(username="fylkesdirektor.nordland"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/v1/reports/",
            {"kind": "agreement_version", "parameters": {"version": binding.pk}},
            format="json",
        )
    assert answer.status_code == 202, answer.content
    report = ReportRequest.objects.get(pk=answer.json()["id"])
    assert report.status == ReportStatus.DONE, report.error
    # An outsider names the same version: 400 on the parameter, as for a missing one.
    client.force_authenticate(User.objects.get(username="radmann.trondheim"))
    refused = client.post(
        "/api/v1/reports/",
        {"kind": "agreement_version", "parameters": {"version": binding.pk}},
        format="json",
    )
    assert refused.status_code == 400
    assert "parameters.version" in refused.json()["errors"]
