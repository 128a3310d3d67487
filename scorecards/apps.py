from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    """The monthly balanced scorecard (målekort): indicators, targets, measurements, plans.

    Empty until the scorecard issue; the app exists so the layout of DESIGN.md holds from the
    first migration.
    """

    name = "scorecards"
    verbose_name = _("Scorecards")

    def ready(self) -> None:
        from reports.definitions import register
        from scorecards.reports import ScorecardReport

        register(ScorecardReport())
