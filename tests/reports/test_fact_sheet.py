"""The office fact sheet a leader hands to a meeting, its file name, and who gets what of it.

The fact sheet shows the office, who leads it, the municipalities and the host, the staff on
each line and the notes the requester may see — each read through the access policy, so the
other line's notes, the roles of an office one does not review, and other people's reports stay
out of it.
"""

import io
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from reports.definitions import DEFINITIONS
from reports.models import ReportKind, ReportRequest, ReportStatus
from reports.services import report_request_create
from users.models import EmployerSide, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db(transaction=False)

STATE_NOTE, MUNICIPAL_NOTE, JOINT_NOTE = (
    "Sykefravær oktober",
    "Sosialhjelp oktober",
    "Virksomhetsplan 2026",
)


def fact_sheet_text(username: str, code: str, language: str = "nb") -> str:
    user = User.objects.get(username=username)
    with translation.override(language):
        data = DEFINITIONS[ReportKind.OFFICE_FACT_SHEET].render(
            user=user, parameters={"office": code}
        )
    reader = PdfReader(io.BytesIO(data))
    # One line per line of text, with the spacing pypdf happens to read collapsed.
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \t]+", " ", text)


def request_fact_sheet(username: str, code: str, language: str, capture) -> ReportRequest:
    with translation.override(language), capture(execute=True):
        report = report_request_create(
            user=User.objects.get(username=username),
            kind=ReportKind.OFFICE_FACT_SHEET,
            parameters={"office": code},
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


def staff_count(code: str, side: str) -> int:
    return (
        RoleAssignment.objects.active()
        .filter(office__code=code, role=Role.OFFICE_STAFF, user__employer_side=side)
        .values("user")
        .distinct()
        .count()
    )


def test_the_leaders_fact_sheet_holds_what_a_meeting_needs(demo_data):
    text = fact_sheet_text("leder.heimdal", "heimdal")
    assert "Faktaark" in text
    assert "NAV Heimdal" in text
    assert "Trøndelag" in text
    assert "Laget for Hege Lund" in text
    # Generated when, the way every page writes it: dd.mm.åååå HH:MM, Oslo time.
    now = timezone.localtime()
    assert re.search(rf"Laget {now:%d.%m.%Y} \d\d:\d\d", text), text
    assert "NAV-leder Hege Lund, fra " in text
    assert "Vertskommune Ingen: kontoret har ingen vertskommune." in text
    assert "Trondheim" in text and "5001" in text
    # Staff per line, counted from the roles in force, and their sum.
    state, municipal = staff_count("heimdal", "state"), staff_count("heimdal", "municipal")
    assert (state, municipal) == (4, 1)  # stat.heimdal, stat2-4.heimdal; kommune.heimdal
    assert f"Statlig linje {state}" in text
    assert f"Kommunal linje {municipal}" in text
    assert f"I alt {state + municipal}" in text
    # The leader sees every line's notes.
    for title in (STATE_NOTE, MUNICIPAL_NOTE, JOINT_NOTE):
        assert title in text
    assert "3 notater du har tilgang til, nyeste først." in text
    assert "Side 1 av 1" in text


def test_the_host_and_every_municipality_of_indre_salten(demo_data):
    text = fact_sheet_text("radmann.fauske", "indre-salten")
    assert "NAV-leder Ingrid Pedersen" in text
    assert "Vertskommune Fauske - Fuossko (1841)" in text
    for number in ("1841", "1840", "1845", "1839", "1875"):
        assert number in text
    state = staff_count("indre-salten", EmployerSide.STATE)
    municipal = staff_count("indre-salten", EmployerSide.MUNICIPAL)
    assert f"Statlig linje {state}" in text and f"Kommunal linje {municipal}" in text


def test_the_fact_sheet_in_english(demo_data):
    text = fact_sheet_text("leder.heimdal", "heimdal", "en")
    assert "Fact sheet" in text
    assert "Made for Hege Lund" in text
    assert "Office leader Hege Lund, since " in text
    assert "Staff on each line" in text
    assert "Page 1 of 1" in text


def test_the_other_line_gets_nothing_of_the_state_lines_notes(demo_data):
    text = fact_sheet_text("kommune.heimdal", "heimdal")
    assert MUNICIPAL_NOTE in text and JOINT_NOTE in text
    assert STATE_NOTE not in text
    # Staff do not review the office: no roles of others, no counts that would be wrong.
    assert "Hege Lund" not in text
    assert "Hvem som arbeider ved kontoret, vises for" in text
    assert "Statlig linje 4" not in text


def test_a_delegation_runs_out_and_so_does_the_other_lines_data(demo_data):
    # stat4.heimdal's delegation of municipal data has ended; stat2.heimdal's holds.
    assert MUNICIPAL_NOTE not in fact_sheet_text("stat4.heimdal", "heimdal")
    assert MUNICIPAL_NOTE in fact_sheet_text("stat2.heimdal", "heimdal")


def test_another_offices_people_get_none_of_its_partnership_data(demo_data):
    """Offices are reference data anyone may name; their notes and roles are not."""
    text = fact_sheet_text("radmann.bodo", "heimdal")
    assert "NAV Heimdal" in text
    for title in (STATE_NOTE, MUNICIPAL_NOTE, JOINT_NOTE):
        assert title not in text
    assert "Hege Lund" not in text
    assert "0 notater du har tilgang til" in text
    assert "Hvem som arbeider ved kontoret, vises for" in text


@pytest.mark.parametrize(
    ("username", "code", "language", "ascii_name", "full_name"),
    [
        ("leder.heimdal", "heimdal", "nb", "faktaark-nav-heimdal", "faktaark-nav-heimdal"),
        ("leder.heimdal", "heimdal", "en", "fact-sheet-nav-heimdal", "fact-sheet-nav-heimdal"),
        ("radmann.bodo", "bodo", "nb", "faktaark-nav-bodo", "faktaark-nav-bodø"),
        ("radmann.trondheim", "ostbyen", "nb", "faktaark-nav-ostbyen", "faktaark-nav-østbyen"),
    ],
)
def test_the_download_is_named_in_the_reports_language(
    client,
    demo_data,
    django_capture_on_commit_callbacks,
    username,
    code,
    language,
    ascii_name,
    full_name,
):
    report = request_fact_sheet(username, code, language, django_capture_on_commit_callbacks)
    day = f"{timezone.localdate(report.requested_at):%Y-%m-%d}"
    assert report.filename == f"{ascii_name}-{day}.pdf"
    client.force_login(report.requested_by)
    response = client.get(reverse("reports:download", args=[report.id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{ascii_name}-{day}.pdf"; '
        f"filename*=UTF-8''{quote(full_name)}-{day}.pdf"
    )
    assert response["Content-Disposition"].isascii()


def test_the_agreement_pdf_is_named_for_its_title_and_version(demo_data):
    from agreements.models import AgreementVersion

    user = User.objects.get(username="radmann.trondheim")
    version = AgreementVersion.objects.visible_to(user).order_by("agreement_id", "number").first()
    assert version.agreement.title.startswith("Samarbeidsavtale mellom Trondheim kommune")
    with translation.override("nb"):
        report = report_request_create(
            user=user, kind=ReportKind.AGREEMENT_VERSION, parameters={"version": version.pk}
        )
    day = f"{timezone.localdate(report.requested_at):%Y-%m-%d}"
    assert report.filename.startswith("samarbeidsavtale-mellom-trondheim-kommune-")
    assert report.filename.endswith(f"-{day}.pdf")
    assert report.filename.isascii() and "--" not in report.filename
    assert len(report.filename) <= 120 + len("-2026-12-04.pdf")


def test_others_and_anonymous_get_nothing_of_the_leaders_fact_sheet(
    client, demo_data, django_capture_on_commit_callbacks
):
    report = request_fact_sheet(
        "leder.heimdal", "heimdal", "nb", django_capture_on_commit_callbacks
    )
    urls = [
        reverse(name, args=[report.id])
        for name in ("reports:detail", "reports:status", "reports:download")
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to sign-in
    # The other line at the office, staff of another office, the county director, the operator.
    for username in ("kommune.heimdal", "stat.lerkendal", "fylkesdirektor.trondelag", "admin"):
        client.force_login(User.objects.get(username=username))
        for url in urls:
            assert client.get(url).status_code == 404, (username, url)
        assert client.get(reverse("api:report-download", kwargs={"pk": report.id})).status_code in (
            401,
            404,
        )
