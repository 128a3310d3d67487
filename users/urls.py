"""Pages about access: delegations, the audit log, the access review (under /tilgang/)."""

from django.urls import path

from users.views import audit, delegations, review, roles, search

app_name = "access"

urlpatterns = [
    path("delegeringer/", delegations.delegation_list_view, name="delegation-list"),
    path("delegeringer/ny/", delegations.delegation_create_view, name="delegation-create"),
    path(
        "delegeringer/<int:pk>/trekk-tilbake/",
        delegations.delegation_revoke_view,
        name="delegation-revoke",
    ),
    path("roller/", roles.role_list_view, name="role-list"),
    path("roller/ny/", roles.role_create_view, name="role-create"),
    path("roller/<int:pk>/godkjenn/", roles.role_approve_view, name="role-approve"),
    path("roller/<int:pk>/avslutt/", roles.role_end_view, name="role-end"),
    path("sok/<slug:kind>/", search.search_view, name="search"),
    path("logg/", audit.audit_event_list_view, name="audit-list"),
    path("gjennomgang/", review.access_overview_view, name="review-overview"),
    path("gjennomgang/<slug:code>/", review.access_review_view, name="review-office"),
    path("gjennomgang/<slug:code>/csv/", review.access_review_csv_view, name="review-office-csv"),
    path(
        "gjennomgang/<slug:code>/bekreft/",
        review.access_review_confirm_view,
        name="review-office-confirm",
    ),
]
