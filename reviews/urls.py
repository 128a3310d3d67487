"""``/oppfolging/``: the review pages. The month and the filters are query parameters
(``?maned=2026-11&side=state&status=missed``), so that every view of a page is a link that can
be shared; ``reviews/params.py`` reads and writes them."""

from django.urls import path

from reviews.views import county, index, municipal

app_name = "reviews"

urlpatterns = [
    path("", index.review_index_view, name="index"),
    # The municipal executive's review (reviews/views/municipal.py)
    path("kommune/<str:number>/", municipal.municipal_review_view, name="municipal"),
    path(
        "kommune/<str:number>/eksport.<str:fmt>",
        municipal.municipal_export_view,
        name="municipal-export",
    ),
    path("kommune/<str:number>/pdf/", municipal.municipal_pdf_view, name="municipal-pdf"),
    # The county director's review (reviews/views/county.py)
    path("fylke/<str:number>/", county.county_review_view, name="county"),
    path("fylke/<str:number>/eksport.<str:fmt>", county.county_export_view, name="county-export"),
    path("fylke/<str:number>/pdf/", county.county_pdf_view, name="county-pdf"),
]
