from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """The review pages of the two lines' leaders (issue 11): the municipal executive's review of
    the offices serving the municipality, the county director's review of the county's offices,
    their exports and summary PDFs, and each office's audit readiness.

    It reads from every other app (offices, agreements, scorecards, users) and nothing reads
    from it, so the dependencies of DESIGN.md still point one way.
    """

    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from reviews import county_report, municipal_report

        municipal_report.register_reports()
        county_report.register_reports()
