from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from navpartner import errors
from navpartner.health import healthz
from users.views import auth as user_views

urlpatterns = [
    path("", user_views.home_view, name="home"),
    path("logg-inn/", user_views.SignInView.as_view(), name="login"),
    path("logg-ut/", user_views.SignOutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kontorer/", include("offices.urls")),
    path("avtaler/", include("agreements.urls")),
    path("malekort/", include("scorecards.urls")),
    path("oppfolging/", include("reviews.urls")),
    path("rapporter/", include("reports.urls")),
    path("tilgang/", include("users.urls")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("navpartner.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script from its own URL: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler404 = errors.not_found
handler500 = errors.server_error
