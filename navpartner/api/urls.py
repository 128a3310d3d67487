"""``/api/v1/``: one router for every app's endpoints."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from offices.api.views import CountyViewSet, MunicipalityViewSet, OfficeViewSet
from reports.api.views import ReportViewSet
from users.api.views import CurrentUserView, ObtainTokenView

app_name = "api"

router = DefaultRouter()
router.register("counties", CountyViewSet, basename="county")
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("offices", OfficeViewSet, basename="office")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("me/", CurrentUserView.as_view(), name="me"),
    *router.urls,
]
