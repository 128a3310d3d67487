"""The scorecard API's routes, registered on the project's router (``navpartner/api/urls.py``)."""

from scorecards.api.views import MeasurementViewSet

# (prefix, viewset, basename): route names are ``api:<basename>-list``, ``-detail``, …
ROUTES = [
    ("measurements", MeasurementViewSet, "measurement"),
]

urlpatterns: list = []


def register(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
