"""The scorecard API's routes, registered on the project's router (``navpartner/api/urls.py``)."""

from scorecards.api.views import (
    ActionPlanViewSet,
    IndicatorViewSet,
    MeasurementViewSet,
    ScorecardViewSet,
    TargetViewSet,
)

# (prefix, viewset, basename): route names are ``api:<basename>-list``, ``-detail``, …
ROUTES = [
    ("indicators", IndicatorViewSet, "indicator"),
    ("targets", TargetViewSet, "target"),
    ("measurements", MeasurementViewSet, "measurement"),
    ("scorecards", ScorecardViewSet, "scorecard"),
    ("action-plans", ActionPlanViewSet, "action-plan"),
]

urlpatterns: list = []


def register(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
