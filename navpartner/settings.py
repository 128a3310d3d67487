"""Settings for navpartner, read from the environment.

With nothing set, the app runs in its *embedded default*: SQLite under ``./var/``, Celery tasks
run eagerly in the web process, files under ``./var/``. Setting ``DATABASE_URL`` and
``CELERY_BROKER_URL`` moves it onto PostgreSQL, Redis and a real worker. ``NAVPARTNER_ENV=
production`` switches on the production guards: no start without a secret key and allowed hosts.
The README lists every variable.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

NAVPARTNER_ENV = env.str("NAVPARTNER_ENV", default="development")
if NAVPARTNER_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("NAVPARTNER_ENV must be 'development' or 'production'.")
PRODUCTION = NAVPARTNER_ENV == "production"

VAR_DIR = Path(env.str("NAVPARTNER_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret_key() -> str:
    """A per-checkout key kept in var/, so no secret ever sits in the code or the repository."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def weak_secret_key(key: str) -> bool:
    """Django's own criteria for a weak key (check security.W009): refused here, not warned of."""
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if weak_secret_key(SECRET_KEY):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be set to a strong random value when NAVPARTNER_ENV="
            f"production: at least {SECRET_KEY_MIN_LENGTH} characters, at least "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, not starting with "
            f"'{SECRET_KEY_INSECURE_PREFIX}'. Make one with: python3 -c 'import secrets; "
            f"print(secrets.token_urlsafe(50))'"
        )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set when NAVPARTNER_ENV=production."
        )
    DEBUG = False
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    DEBUG = env.bool("DJANGO_DEBUG", default=True)

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "guardian",
    "navpartner",
    "users",
    "offices",
    "agreements",
    "scorecards",
    "reviews",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "navpartner.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "navpartner.middleware.PrivateCacheControlMiddleware",
    "users.access.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "navpartner.urls"
WSGI_APPLICATION = "navpartner.wsgi.application"
ASGI_APPLICATION = "navpartner.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "users.context_processors.current_user_summary",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------------
# The token endpoint's throttle counts in the cache: with several web processes, point CACHE_URL
# at Redis (redis://host:6379/1) so they share one count. Sign-in lockouts count in the database.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Fail fast when Redis is away: the throttles then let requests through (see
    # navpartner/api/throttling.py) instead of every request hanging on a dead socket.
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

# --- Users and sign-in ------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before any password check.
    "users.sign_in.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Guardian's object permissions, with side data on offices answered by the policy.
    "users.access.backends.OfficePermissionBackend",
]
# guardian.W001 looks for guardian's own backend by name; ours above is a subclass of it.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
# After this many failed sign-ins for one username from one address, sign-in is refused for a while.
SIGN_IN_MAX_FAILURES = env.int("SIGN_IN_MAX_FAILURES", default=5)
SIGN_IN_LOCKOUT_SECONDS = env.int("SIGN_IN_LOCKOUT_SECONDS", default=15 * 60)
# How many proxies of ours append to X-Forwarded-For in front of the app. 0 (the default): the
# client address is REMOTE_ADDR and a client-sent X-Forwarded-For is ignored, by the lockout and
# the token throttle alike. Set it only when every request passes through that many proxies.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-axes counts failures of the sign-in page, the admin login and the API token endpoint in
# the database (sign-in keeps working without Redis), per (username, address); users/sign_in.py.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = SIGN_IN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=SIGN_IN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "users.sign_in.lockout_username"
AXES_CLIENT_IP_CALLABLE = "users.sign_in.client_address"
AXES_LOCKOUT_CALLABLE = "users.sign_in.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are in our audit log; axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True
# Expiring API tokens (django-rest-knox), stored hashed; a new password or deactivation revokes
# every token of the user (users/signals.py).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=10)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The anonymous user of django-guardian is not used: anonymous visitors see nothing.
ANONYMOUS_USER_NAME = None
GUARDIAN_AUTO_PREFETCH = False

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# Dates as 31.12.2026 and times as 14:05 in both languages (navpartner/formats/).
FORMAT_MODULE_PATH = ["navpartner.formats"]

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: reports are downloaded through an access check
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production whitenoise serves straight from the finders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive only allows the host to be submitted to the browsers' HSTS list; with
    # plain http (the compose default) no HSTS header is sent at all.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Everything the pages use comes from this host: no inline script or style, no CDN. The Django
# admin and Swagger UI (drf-spectacular-sidecar's local copy) work under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "navpartner.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "navpartner.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_THROTTLE", default="10/min")},
    # Throttles count per REMOTE_ADDR unless TRUSTED_PROXY_COUNT says to trust X-Forwarded-For.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "navpartner API",
    "DESCRIPTION": (
        "The NAV partnership between state and municipality. Authenticate with a session or with "
        "`Authorization: Token <token>` from `POST /api/v1/auth/token/`. A token expires "
        "(`expiry` in the answer), `DELETE /api/v1/auth/token/` revokes the one you call with, "
        "and a password change revokes them all. Repeated failed sign-ins lock the username "
        "for a while from that address (429), on every sign-in path. Outsiders get 404 for "
        "what they may not see; who may see a record but not change it gets 403."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI from drf-spectacular-sidecar's pinned copy among our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "navpartner.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SideEnum": "navpartner.sidedata.Side",
        "DelegableSideEnum": "navpartner.sidedata.DELEGABLE_SIDE_CHOICES",
        "EmployerSideEnum": "users.models.EmployerSide",
        "MeetingKindEnum": "agreements.models.MeetingKind",
        "ReportKindEnum": "reports.models.ReportKind",
        "VersionKindEnum": "agreements.models.VersionKind",
        "NewVersionKindEnum": "agreements.api.serializers.NEW_VERSION_KINDS",
        "VersionStatusEnum": "agreements.models.VersionStatus",
        "DelegationLevelEnum": "users.models.DelegationLevel",
        "DefinitionLevelEnum": "scorecards.models.Level",
    },
}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured means the embedded default: tasks run in-process, right after commit.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None  # report state lives in the database, not in Celery results
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-report leaves the task for another one
# ... and so does a child killed mid-report (SIGKILL, the OOM killer): its message is requeued at
# once instead of being acknowledged. The task is idempotent (reports.services._claim).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=4 * 60)
# Redis hands an unacknowledged message (its worker vanished) to another worker after this many
# seconds. Longer than the hard time limit, so no render still running is handed out twice;
# shorter than REPORT_STALE_AFTER_MINUTES, so redelivery comes before housekeeping steps in.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=10 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
# Rendering leaks a little memory per report (WeasyPrint, fonts): recycle worker children.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=100)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(  # KiB; checked after each task
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=300_000
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "reports-housekeeping": {
        "task": "reports.tasks.housekeeping",
        "schedule": 5 * 60,  # re-queues lost reports: keep it well under the stale threshold
    },
    # Permission rows follow roles by signals; this repairs what bypassed them (.update()).
    "permissions-resync": {
        "task": "users.tasks.permissions_resync",
        "schedule": 60 * 60,
    },
}

# --- Reports ----------------------------------------------------------------------------------
# Finished report files are removed this many days after they were made.
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)
# A report still running after this many minutes is re-queued by the housekeeping task (its
# worker died), up to REPORT_MAX_ATTEMPTS renders; then it is marked failed.
REPORT_STALE_AFTER_MINUTES = env.int("REPORT_STALE_AFTER_MINUTES", default=30)
REPORT_MAX_ATTEMPTS = env.int("REPORT_MAX_ATTEMPTS", default=3)
# A report still queued after this many minutes is sent to the workers again (its message was
# lost); one queued longer than REPORT_STALE_AFTER_MINUTES x REPORT_MAX_ATTEMPTS is failed.
REPORT_REQUEUE_AFTER_MINUTES = env.int("REPORT_REQUEUE_AFTER_MINUTES", default=5)
# Report requests one user may make, on the page and the API together (DRF rate syntax).
REPORT_CREATE_RATE = env.str("REPORT_CREATE_RATE", default="30/min")


def check_report_timings(
    *, time_limit: int, soft_time_limit: int, visibility_timeout: int, stale_after_minutes: int
) -> None:
    """Refuse timings under which a lost report is handed out twice or never comes back."""
    if not soft_time_limit < time_limit < visibility_timeout < stale_after_minutes * 60:
        raise ImproperlyConfigured(
            "Report timings must satisfy CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < "
            "CELERY_BROKER_VISIBILITY_TIMEOUT < REPORT_STALE_AFTER_MINUTES (in seconds); got "
            f"{soft_time_limit} < {time_limit} < {visibility_timeout} < "
            f"{stale_after_minutes * 60}."
        )


check_report_timings(
    time_limit=CELERY_TASK_TIME_LIMIT,
    soft_time_limit=CELERY_TASK_SOFT_TIME_LIMIT,
    visibility_timeout=CELERY_BROKER_VISIBILITY_TIMEOUT,
    stale_after_minutes=REPORT_STALE_AFTER_MINUTES,
)

# --- Scorecards -------------------------------------------------------------------------------
# An office's målekort for a month is due on this day of the next month (then marked overdue).
SCORECARD_DEADLINE_DAY = env.int("SCORECARD_DEADLINE_DAY", default=10)
if not 1 <= SCORECARD_DEADLINE_DAY <= 28:
    raise ImproperlyConfigured("SCORECARD_DEADLINE_DAY must be a day from 1 to 28.")
# The most rows one import file or one bulk API call may carry (all-or-nothing, one transaction).
MEASUREMENT_IMPORT_MAX_ROWS = env.int("MEASUREMENT_IMPORT_MAX_ROWS", default=50_000)
# The most rows one export of a review page (CSV or Excel) may hold; a larger one is refused
# with a message naming the limit and how to narrow the page, instead of running into a timeout.
REVIEW_EXPORT_MAX_ROWS = env.int("REVIEW_EXPORT_MAX_ROWS", default=20_000)

# --- Demo data ------------------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="navpartner-demo")

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step at INFO; only their warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs each sign-in at INFO; ours are in the audit log and navpartner.auth.
        "axes": {"level": "WARNING"},
    },
}
