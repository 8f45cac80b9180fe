"""Settings shared by every environment; everything machine-specific comes from the environment."""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "governance",
    "communities",
    "party_grid",
    "property_rating",
    "deliberation",
]

MIDDLEWARE = [
    # First: a body over REQUEST_MAX_BYTES is refused (413) before anything reads it.
    "governance.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp), Permissions-Policy, no-store on attachments.
    "csp.middleware.CSPMiddleware",
    "governance.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "governance.middleware.ChineseFirstLocaleMiddleware",
    # Anonymous ratings-API answers cached under the publication version, sent from here.
    "property_rating.middleware.PublicRatingsAnswerMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # District and city staff read below their region; a write request never uses that scope.
    "communities.middleware.RegionReadOnlyMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# DATABASE_URL unset: the embedded default, a SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'governance.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the region statistics' queries carry correlated subqueries PostgreSQL
    # rarely runs, whose estimated cost made it JIT-compile them for 1.4 s of a 1.5 s query
    # (benchmarks/README.md "Regions"); every query here is short and interactive.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "DATABASE_SESSION_OPTIONS", "-c jit=off"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "communities.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence and attachments are private: never served from MEDIA_URL, only through views
# that check who asks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_MAX_FILES = int(os.environ.get("UPLOAD_MAX_FILES", "10"))
# An image declaring more pixels is refused (a decompression bomb: a few hundred bytes of PNG
# can declare 20000x20000). 60 million covers a 48-megapixel phone photo.
UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("UPLOAD_MAX_IMAGE_PIXELS", str(60_000_000)))
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# A request body larger than this is refused by its Content-Length (413) before it is read; a bit
# above the largest legitimate upload (UPLOAD_MAX_FILES files of UPLOAD_MAX_BYTES each). The
# reverse proxy's client_max_body_size (deploy/nginx.conf) matches it.
REQUEST_MAX_BYTES = int(
    os.environ.get("REQUEST_MAX_BYTES", str(UPLOAD_MAX_FILES * UPLOAD_MAX_BYTES + 1024 * 1024))
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "governance@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How notifications are delivered (governance/notifications/channels.py): dotted class paths.
NOTIFICATION_CHANNELS = [
    "governance.notifications.channels.InboxChannel",
    "governance.notifications.channels.EmailChannel",
]

# Celery: REDIS_URL unset runs tasks in-process (the embedded default); set, Redis is broker and
# result store.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when Redis is down: the outbox keeps the message for later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY = False
# Publishing from a web process also subscribes to the task's result channel (the result store is
# the same Redis): by default that retries 20 times a second apart, so with Redis down every
# submission would hang ~20 s (tests/reliability/test_redis_down.py). Fail fast; results are not
# the source of truth (tasks record their outcome in the database).
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "120/minute"),
        "user": os.environ.get("API_USER_RATE", "1200/minute"),
    },
    # Behind one reverse proxy (docker-compose's gunicorn is not behind one by default):
    # the client address is taken from X-Forwarded-For only as far as NUM_PROXIES says.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    # drf-spectacular's, plus the Idempotency-Key header where a view honours it.
    "DEFAULT_SCHEMA_CLASS": "governance.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Every error body is an object (the schema says so), never a bare list or string.
    "EXCEPTION_HANDLER": "governance.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Estate governance API",
    "DESCRIPTION": "Public registry, property-company star ratings, and resident deliberation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CACHES = {
    "default": (
        # Degrades to no cache (a logged warning) while Redis is down: governance/cache.py.
        {"BACKEND": "governance.cache.DegradingRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Caps on every spreadsheet import (admin and commands; governance.spreadsheets), checked
# before the file is parsed whole: rows, upload size and an XLSX's unpacked size.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024)))
# An admin import of more rows than this runs as a background job (ImportJob) with a progress
# page, so no request runs past the worker timeout; smaller files keep the preview step.
IMPORT_JOB_THRESHOLD = int(os.environ.get("IMPORT_JOB_THRESHOLD", "2000"))
# A job still "running" after this long lost its worker (its transaction rolled back): the
# periodic governance.fail_stuck_import_jobs marks it failed. Longer than any real import.
IMPORT_JOB_STUCK_AFTER_MINUTES = int(os.environ.get("IMPORT_JOB_STUCK_AFTER_MINUTES", "60"))

# An Idempotency-Key's first answer is replayed for this long (governance/idempotency.py).
IDEMPOTENCY_KEY_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24"))

SESSION_COOKIE_AGE = 12 * 60 * 60
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy on every page (django-csp 4): scripts, styles, images and
# fonts from this site only, no inline code (behaviour is in static/js/portal.js, declared with
# data attributes), no plugins, no framing. A page that must keep inline code gives it
# request.csp_nonce; none does today.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the admin's and Swagger UI's small inline SVG icons.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features no page here uses are switched off for every page.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "browsing-topics": [],
}
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Security (issue 6; governance/security/) -------------------------------------------------
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
_auth_mw = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_auth_mw:_auth_mw] = [
    "django_otp.middleware.OTPMiddleware",
    "governance.security.middleware.SessionTimeoutMiddleware",
    "governance.security.middleware.StaffTwoFactorMiddleware",
    "governance.security.middleware.AccessDenialAuditMiddleware",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # turns a lockout into a 429 page; must be last
AUTHENTICATION_BACKENDS = [
    "governance.security.backends.RequestAxesBackend",
    # Named per-action permissions from each app's rules.py (`user.has_perm("app.action", obj)`).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock out a username from one address after 5 failures, for 15 minutes. By the pair, not by
# username alone (anyone could lock an official out) nor by address alone (a whole residential
# NAT shares one).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "governance.security.client_ip.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail; keep no second copy
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
# Sessions: 30 minutes idle, 12 hours absolute since login (SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff must verify a TOTP code after the password when on.
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", False)
# Who is staff for the two-factor rule (township, community, assessor and department staff).
# Open311 (deliberation/cases/api/open311.py) per client address.
OPEN311_RATES = {
    "open311_read": os.environ.get("OPEN311_READ_RATE", "300/minute"),
    "open311_write": os.environ.get("OPEN311_WRITE_RATE", "30/minute"),
}
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Estate governance")
# Audit trail kept this many days (a system check refuses fewer than 180).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
# PIPL: residents' and party members' personal data kept this many years after they leave.
PERSONAL_DATA_RETENTION_YEARS = int(os.environ.get("PERSONAL_DATA_RETENTION_YEARS", "3"))
# No log line carries passwords, session ids, tokens, phone numbers or addresses.
LOGGING["filters"] = {"redact": {"()": "governance.security.logging.RedactingFilter"}}
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("redact")
# The API schema documents DRF's error answers (403/404/415/429) on every operation.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "governance.security.schema.add_error_responses",
    "governance.api.schema.document_idempotency_answers",
]
# One name per choice set shared by several API fields (keeps `check --deploy` free of W001).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "ProposalStateEnum": "deliberation.models.Proposal.State",
    "SessionStatusEnum": "deliberation.models.Session.Status",
    "QuarterEnum": "property_rating.models.QUARTER_CHOICES",
    "QuarterNumberEnum": [(1, "1"), (2, "2"), (3, "3"), (4, "4")],
    "ProposalCategoryEnum": "deliberation.models.Category",
    "NeedCategoryEnum": "deliberation.projects.models.NeedCategory",
}

# Text messages (governance/sms): the backend by dotted path, and its provider options as JSON
# (account, key, signature, template) for a production provider's backend class.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "governance.sms.backends.ConsoleBackend")
SMS_OPTIONS = json.loads(os.environ.get("SMS_OPTIONS", "{}"))
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
# Resident sign-ups per client address (communities/signup.py).
SIGNUP_RATE = os.environ.get("SIGNUP_RATE", "5/hour")
