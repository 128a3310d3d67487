from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list_view, name="list"),
    path("ny/", views.agreement_create_view, name="create"),
    path("<int:pk>/", views.agreement_detail_view, name="detail"),
    path(
        "<int:pk>/ny-versjon/",
        views.agreement_version_new_view,
        {"kind": "revision"},
        name="version-new",
    ),
    path(
        "<int:pk>/forleng/",
        views.agreement_version_new_view,
        {"kind": "extension"},
        name="version-extend",
    ),
    path("<int:pk>/versjoner/<int:number>/", views.agreement_version_view, name="version"),
    path(
        "<int:pk>/versjoner/<int:number>/endre/",
        views.agreement_version_edit_view,
        name="version-edit",
    ),
    path(
        "<int:pk>/versjoner/<int:number>/godkjenn/",
        views.agreement_version_decide_view,
        {"decision": "approved"},
        name="version-approve",
    ),
    path(
        "<int:pk>/versjoner/<int:number>/avvis/",
        views.agreement_version_decide_view,
        {"decision": "rejected"},
        name="version-reject",
    ),
    path(
        "<int:pk>/versjoner/<int:number>/pdf/",
        views.agreement_version_pdf_view,
        name="version-pdf",
    ),
]
