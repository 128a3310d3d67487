"""``/api/v1/``: one router for every app's endpoints."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from agreements.api import urls as agreements_api
from offices.api.notes import OfficeNoteViewSet
from offices.api.views import CountyViewSet, MunicipalityViewSet, OfficeViewSet
from reports.api.views import ReportViewSet
from reviews.api.readiness import ReadinessViewSet
from scorecards.api import urls as scorecards_api
from users.api.audit import AuditEventViewSet
from users.api.delegations import DelegationViewSet
from users.api.review import AccessReviewView
from users.api.roles import RoleAssignmentViewSet
from users.api.views import CurrentUserView, ObtainTokenView

app_name = "api"

router = DefaultRouter()
router.register("counties", CountyViewSet, basename="county")
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("offices", OfficeViewSet, basename="office")
router.register("notes", OfficeNoteViewSet, basename="note")
router.register("reports", ReportViewSet, basename="report")
router.register("delegations", DelegationViewSet, basename="delegation")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")
router.register("readiness", ReadinessViewSet, basename="readiness")
agreements_api.register(router)
scorecards_api.register(router)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("me/", CurrentUserView.as_view(), name="me"),
    path("access-review/", AccessReviewView.as_view(), name="access-review"),
    *agreements_api.urlpatterns,
    *scorecards_api.urlpatterns,
    *router.urls,
]
