"""The includes the review pages and their PDFs use for audit readiness (H2/H3): a heading per
criterion, a cell per criterion with symbol and word (never colour alone), a summary; the PDF
variant without links or hidden text; nothing for an office the reader may not see."""

import re

import pytest
from django.template import Context, Template

from offices.models import Office
from reviews.readiness import CRITERION_KEYS, readiness_for_offices
from users.models import User

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.fixture
def heimdal_readiness(demo_data):
    office = Office.objects.get(code="heimdal")
    director = User.objects.get(username="fylkesdirektor.trondelag")
    return readiness_for_offices(user=director, offices=[office])[office.pk]


def test_header_has_one_column_per_criterion_in_order(demo_data):
    html = render('{% include "reviews/includes/readiness_header.html" %}')
    assert re.findall(r'<th scope="col"[^>]*data-criterion="([a-z_]+)"', html) == list(
        CRITERION_KEYS
    )
    assert "sr-only" in html
    pdf = render('{% include "reviews/includes/readiness_header.html" with pdf=True %}')
    assert pdf.count("<th ") == 11
    assert "sr-only" not in pdf and "<abbr" not in pdf


def test_cells_show_each_state_linked_to_its_evidence(heimdal_readiness):
    html = render(
        '{% include "reviews/includes/readiness_cells.html" with readiness=r %}',
        r=heimdal_readiness,
    )
    cells = re.findall(r'<td [^>]*data-criterion="([a-z_]+)" data-state="([a-z]+)"', html)
    assert [key for key, _state in cells] == list(CRITERION_KEYS)
    assert [state for _key, state in cells] == [c.state for c in heimdal_readiness.criteria]
    for criterion in heimdal_readiness.criteria:
        assert criterion.symbol in html
        if criterion.url:
            assert f'href="{criterion.url}"' in html
    pdf = render(
        '{% include "reviews/includes/readiness_cells.html" with readiness=r pdf=True %}',
        r=heimdal_readiness,
    )
    assert pdf.count("<td ") == 11
    assert "<a " not in pdf and "sr-only" not in pdf


def test_cells_of_an_office_one_may_not_see_are_empty(demo_data):
    office = Office.objects.get(code="heimdal")
    outsider = User.objects.get(username="fylkesdirektor.nordland")
    readiness = readiness_for_offices(user=outsider, offices=[office])[office.pk]
    html = render(
        '{% include "reviews/includes/readiness_cells.html" with readiness=r %}', r=readiness
    )
    assert html.count('data-state="unknown"') == 11
    assert "<a " not in html
    none = render('{% include "reviews/includes/readiness_cells.html" with readiness=None %}')
    assert none.count("<td ") == 11


def test_summary_counts(heimdal_readiness):
    html = render(
        '{% include "reviews/includes/readiness_summary.html" with readiness=r url="/x/" %}',
        r=heimdal_readiness,
    )
    assert f'data-readiness-passed="{heimdal_readiness.passed}"' in html
    assert 'data-readiness-total="11"' in html
    assert 'href="/x/"' in html
