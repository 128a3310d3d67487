"""Norwegian bokmål first: the language is the one the user chose, else bokmål.

Django's LocaleMiddleware would follow the browser's Accept-Language, which puts most
machines' English in front of a Norwegian public service. Here only an explicit choice (the
language switch sets Django's language cookie) moves the user off bokmål.

Also here: no browser or proxy keeps a copy of what a signed-in user or the API was answered.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Answers that carry a person's data must not be kept by a browser or a proxy.
PRIVATE_NO_STORE = "private, no-store"
API_PATH_PREFIX = "/api/"


class PrivateCacheControlMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user and the API's.

    Static files never get here (whitenoise answers them first) and keep their long caching. A
    view that set its own ``Cache-Control`` (the report status poll, ``never_cache``) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if request.path_info.startswith(API_PATH_PREFIX) or (user and user.is_authenticated):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response
