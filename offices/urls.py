from django.urls import path

from offices import views

app_name = "offices"

urlpatterns = [
    path("", views.office_list_view, name="list"),
    path("<slug:code>/", views.office_detail_view, name="detail"),
]
