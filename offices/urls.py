from django.urls import path

from offices import document_views, note_views, views

app_name = "offices"

urlpatterns = [
    path("", views.office_list_view, name="list"),
    path("<slug:code>/", views.office_detail_view, name="detail"),
    path("<slug:code>/notater/", note_views.office_notes_view, name="notes"),
    path("<slug:code>/notater/<int:pk>/", note_views.office_note_view, name="note"),
    path(
        "<slug:code>/notater/<int:pk>/slett/",
        note_views.office_note_delete_view,
        name="note-delete",
    ),
    path("<slug:code>/dokumenter/", document_views.office_documents_view, name="documents"),
    path(
        "<slug:code>/dokumenter/<int:pk>/trekk-tilbake/",
        document_views.office_document_withdraw_view,
        name="document-withdraw",
    ),
]
