"""``/malekort/``: the monthly scorecard's pages. Months in URLs are ``YYYY-MM``."""

from django.urls import path, register_converter

from scorecards.periods import format_period, parse_period
from scorecards.views import indicators, month, plans, reports


class PeriodConverter:
    """``2026-11`` ↔ ``date(2026, 11, 1)``; anything else is not a URL of ours (404)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return parse_period(value)  # ValueError → no match → 404

    def to_url(self, value):
        return value if isinstance(value, str) else format_period(value)


register_converter(PeriodConverter, "period")

app_name = "scorecards"

urlpatterns = [
    # The month of an office (scorecards/views/month.py)
    path("", month.overview_view, name="overview"),
    path("<slug:office>/import/", month.import_view, name="import"),
    path("<slug:office>/<period:period>/", month.card_view, name="card"),
    path("<slug:office>/<period:period>/registrer/", month.enter_view, name="enter"),
    path("<slug:office>/<period:period>/send-inn/", month.submit_view, name="submit"),
    path("<slug:office>/<period:period>/gjenapne/", month.reopen_view, name="reopen"),
    path("<slug:office>/<period:period>/vurder/", month.review_view, name="review"),
    # The month as a PDF (scorecards/views/reports.py)
    path("<slug:office>/<period:period>/pdf/", reports.card_pdf_view, name="pdf"),
    # Indicators, targets, comparison, tables (scorecards/views/indicators.py)
    path("indikatorer/", indicators.indicator_list_view, name="indicators"),
    path("indikatorer/<slug:code>/", indicators.indicator_detail_view, name="indicator"),
    path(
        "indikatorer/<slug:code>/sammenligning/",
        indicators.compare_view,
        name="compare",
    ),
    path("indikatorer/<slug:code>/mal/ny/", indicators.target_create_view, name="target-create"),
    path("mal/<int:pk>/", indicators.target_edit_view, name="target-edit"),
    path("tabell/<slug:group>/", indicators.table_view, name="table"),
    # Action plans (scorecards/views/plans.py)
    path("<slug:office>/tiltaksplaner/", plans.plan_list_view, name="plans"),
    path("<slug:office>/tiltaksplaner/ny/", plans.plan_create_view, name="plan-create"),
    path("tiltaksplan/<int:pk>/", plans.plan_detail_view, name="plan"),
    path("tiltaksplan/<int:pk>/tiltak/", plans.action_add_view, name="action-add"),
    path("tiltak/<int:pk>/", plans.action_edit_view, name="action-edit"),
    path("tiltaksplan/<int:pk>/oppfolging/", plans.follow_up_view, name="follow-up"),
    path("tiltaksplan/<int:pk>/lukk/", plans.plan_close_view, name="plan-close"),
]
