"""The agreements API's routes, registered on the project's router (``navpartner/api/urls.py``)."""

from django.urls import path

from agreements.api.views import (
    AgreementVersionViewSet,
    AgreementViewSet,
    ComplianceView,
    CooperationAgreementViewSet,
    MeetingViewSet,
    MunicipalServiceViewSet,
    OperatingAgreementViewSet,
)

# (prefix, viewset, basename): route names are ``api:<basename>-list``, ``-detail``, …
ROUTES = [
    ("services", MunicipalServiceViewSet, "service"),
    ("agreements", AgreementViewSet, "agreement"),
    ("agreement-versions", AgreementVersionViewSet, "agreement-version"),
    ("operating-agreements", OperatingAgreementViewSet, "operating-agreement"),
    ("cooperation-agreements", CooperationAgreementViewSet, "cooperation-agreement"),
    ("meetings", MeetingViewSet, "meeting"),
]

urlpatterns = [
    path("compliance/", ComplianceView.as_view(), name="compliance"),
]


def register(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
