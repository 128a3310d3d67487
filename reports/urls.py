from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list_view, name="list"),
    path("<uuid:report_id>/", views.report_detail_view, name="detail"),
    path("<uuid:report_id>/status/", views.report_status_view, name="status"),
    path("<uuid:report_id>/download/", views.report_download_view, name="download"),
]
