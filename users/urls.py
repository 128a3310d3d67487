"""Pages about access: delegations, the audit log, the access review (under /tilgang/)."""

from django.urls import path

from users.views import audit, delegations, review

app_name = "access"

urlpatterns = [
    path("delegeringer/", delegations.delegation_list_view, name="delegation-list"),
    path("delegeringer/ny/", delegations.delegation_create_view, name="delegation-create"),
    path(
        "delegeringer/<int:pk>/trekk-tilbake/",
        delegations.delegation_revoke_view,
        name="delegation-revoke",
    ),
    path("logg/", audit.audit_event_list_view, name="audit-list"),
    path("gjennomgang/", review.access_overview_view, name="review-overview"),
    path("gjennomgang/<slug:code>/", review.access_review_view, name="review-office"),
    path("gjennomgang/<slug:code>/csv/", review.access_review_csv_view, name="review-office-csv"),
]
