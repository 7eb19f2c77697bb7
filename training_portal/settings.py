"""Settings for the Training Portal: one module, every value from the environment.

Production differs from development by values, not code. Unsafe values make the
process refuse to start with a message that says what to set.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # generic admin/forms/serializers at run time

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # ignored by git: SQLite database, media, broker folders

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)

_INSECURE_DEV_KEY = "django-insecure-development-key-only-for-debug-mode"
SECRET_KEY: str = env.str("SECRET_KEY", default="")
# Set by manage.py for commands that serve nothing and sign nothing (makemigrations, …).
OFFLINE_COMMAND: bool = env.bool("PORTAL_OFFLINE_COMMAND", default=False)
if not SECRET_KEY and OFFLINE_COMMAND:
    SECRET_KEY = secrets.token_urlsafe(50)  # throw-away: never used to sign anything
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal needs a secret key of at least "
            '50 random characters, e.g. SECRET_KEY=$(python -c "import secrets; '
            'print(secrets.token_urlsafe(50))"), or set DEBUG=true for local development.'
        )
    SECRET_KEY = _INSECURE_DEV_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: with DEBUG off it must have at least 50 characters and "
        "5 distinct ones, and must not start with 'django-insecure'."
    )

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS and not OFFLINE_COMMAND:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off list the host names the portal answers to, "
        "e.g. ALLOWED_HOSTS=portal.example.edu,www.portal.example.edu."
    )
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The test run (pytest sets it): development-like defaults with DEBUG off.
TESTING: bool = env.bool("TESTING", default=False)

# The base of every absolute link (e-mails, API download URLs): scheme, host and path prefix
# users reach. `make run` passes DEFAULT_SITE_URL from HOST and PORT to web, worker and beat
# alike (honcho gives each process a PORT of its own, so PORT cannot be read here). In
# production it stays empty unless set, and the check core.E001 refuses to serve without it.
SITE_URL: str = env.str(
    "SITE_URL",
    default=env.str("DEFAULT_SITE_URL", "http://127.0.0.1:8000" if DEBUG or TESTING else ""),
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "bootstrap",
    # the portal
    "training_portal.core",
    "accounts",
    "programs",
    "supervision",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "training_portal.urls"
WSGI_APPLICATION = "training_portal.wsgi.application"
ASGI_APPLICATION = "training_portal.asgi.application"

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
                "csp.context_processors.nonce",
                "training_portal.core.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]


def postgres_connection_settings(env: environ.Env, database: dict) -> dict:
    """How a PostgreSQL connection is kept between requests: a pool or a persistent connection.

    DATABASE_POOL=true: a psycopg pool per process (Django's OPTIONS["pool"]), holding between
    DATABASE_POOL_MIN_SIZE and DATABASE_POOL_MAX_SIZE connections; a thread that finds none
    free waits DATABASE_POOL_TIMEOUT seconds. gunicorn.conf.py sets the maximum to its
    threads per worker, one connection per thread. Otherwise each thread keeps its own
    connection for CONN_MAX_AGE seconds. Django refuses a pool with persistent connections.
    """
    options = {**database.get("OPTIONS", {})}
    if not env.bool("DATABASE_POOL", default=False):
        return {
            "OPTIONS": options,
            "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
            "CONN_HEALTH_CHECKS": True,
        }
    if "CONN_MAX_AGE" in env.ENVIRON or database.get("CONN_MAX_AGE"):
        raise ImproperlyConfigured(
            "DATABASE_POOL=true cannot be combined with CONN_MAX_AGE (persistent connections): "
            "unset one of them."
        )
    max_size = env.int("DATABASE_POOL_MAX_SIZE", default=4)
    min_size = env.int("DATABASE_POOL_MIN_SIZE", default=min(2, max_size))
    timeout = env.float("DATABASE_POOL_TIMEOUT", default=10.0)
    if not 0 <= min_size <= max_size or max_size < 1 or timeout <= 0:
        raise ImproperlyConfigured(
            "The database pool needs 0 <= DATABASE_POOL_MIN_SIZE <= DATABASE_POOL_MAX_SIZE, "
            "DATABASE_POOL_MAX_SIZE >= 1 and DATABASE_POOL_TIMEOUT > 0 (seconds); got "
            f"{min_size}, {max_size} and {timeout}."
        )
    options["pool"] = {"min_size": min_size, "max_size": max_size, "timeout": timeout}
    # The pool checks a connection before lending it (one round trip), so a restarted
    # database costs no failed request.
    return {"OPTIONS": options, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True}


# --- Database: SQLite in var/ by default (make run), PostgreSQL via DATABASE_URL -----------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing, and use WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].update(postgres_connection_settings(env, DATABASES["default"]))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# History is kept by PostgreSQL triggers (django-pghistory); the embedded SQLite demo keeps none.
HISTORY_ENABLED = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if HISTORY_ENABLED:
    # Every change made during a request records who made it and from which URL.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "pghistory.middleware.HistoryMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL / CACHE_URL is set, local memory otherwise -----------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Audits ----------------------------------------------------------------------------------
#: Programs one audit task checks with one query per rule (a task is the unit of progress
#: and of what a killed worker's successor redoes).
AUDIT_PROGRAMS_PER_TASK = env.int("AUDIT_PROGRAMS_PER_TASK", default=50)
if AUDIT_PROGRAMS_PER_TASK < 1:
    raise ImproperlyConfigured("AUDIT_PROGRAMS_PER_TASK must be 1 or more.")

# --- Evaluation ------------------------------------------------------------------------------
#: Anonymous answers (student on tutor, student on placement) are shown only as aggregates of
#: at least this many.
EVALUATION_MIN_ANONYMOUS = env.int("EVALUATION_MIN_ANONYMOUS", default=5)
if EVALUATION_MIN_ANONYMOUS < 2:
    raise ImproperlyConfigured("EVALUATION_MIN_ANONYMOUS must be 2 or more.")

# --- The public portal (/public/ and /api/v1/public/): anonymous traffic --------------------
#: Requests an anonymous client (per IP address) may make per window; 0 turns the limit off.
PUBLIC_RATE_LIMIT = env.int("PUBLIC_RATE_LIMIT", default=120)
PUBLIC_RATE_WINDOW = env.int("PUBLIC_RATE_WINDOW", default=60)  # seconds
#: How long public pages and answers are cached (seconds; 0: not cached).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=60)
if min(PUBLIC_RATE_LIMIT, PUBLIC_CACHE_SECONDS) < 0 or PUBLIC_RATE_WINDOW < 1:
    raise ImproperlyConfigured(
        "PUBLIC_RATE_LIMIT and PUBLIC_CACHE_SECONDS must be 0 or more, "
        "PUBLIC_RATE_WINDOW 1 or more."
    )

# --- Accounts and authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# django-axes: lock the (username, IP) pair after repeated failures, for a cool-off only.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.auth.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Sessions: expire after idle time (the middleware refreshes the expiry on each request).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE", default=12 * 60 * 60)  # absolute limit
SESSION_SAVE_EVERY_REQUEST = False

# --- Security headers -----------------------------------------------------------------------
SECURE_SSL = env.bool("SECURE_SSL", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
LANGUAGE_COOKIE_SECURE = SECURE_SSL
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less meta tag; JS needs no cookie
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_SSL)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-csp 4: no inline scripts anywhere; scripts and styles come from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# One date, time and number format per language (training_portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["training_portal.formats"]

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_SIZE", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Training Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="portal")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "jobs-recover-stuck": {
        "task": "core.recover_stuck_jobs",
        "schedule": 60.0,
    },
}
# A running job whose heartbeat is older than this is considered orphaned by a dead worker.
JOB_STALE_AFTER = timedelta(seconds=env.int("JOB_STALE_AFTER_SECONDS", default=10 * 60))
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: unauthenticated API calls get 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "training_portal.core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="20/min")},
    "EXCEPTION_HANDLER": "training_portal.core.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Training Portal API",
    "DESCRIPTION": "REST API of the Training Portal (collaborative master's training).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind": give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "training_portal.core.models.Job.Status",
        "OrganizationKindEnum": "programs.models.organizations.OrganizationKind",
        "OrganizationStatusEnum": "programs.models.organizations.OrganizationStatus",
        "ProgramStatusEnum": "programs.models.programs.Program.Status",
        "StageKindEnum": "programs.models.programs.Stage.Kind",
        "MilestoneKindEnum": "programs.models.programs.MilestoneTemplate.Kind",
        "StudentStatusEnum": "programs.models.people.Student.Status",
        "TutorKindEnum": "programs.models.people.TutorKind",
        "PlanStatusEnum": "programs.models.training.TrainingPlan.Status",
        "PlacementStatusEnum": "programs.models.training.Placement.Status",
        "ProjectKindEnum": "programs.models.projects.Project.Kind",
        "ProjectStatusEnum": "programs.models.projects.Project.Status",
        "ProjectOutputKindEnum": "programs.models.projects.ProjectOutput.Kind",
        "ProjectMemberRoleEnum": "programs.models.projects.ProjectMember.Role",
        "ProgressLogKindEnum": "programs.models.training.ProgressLog.Kind",
        "CaseRoleEnum": "programs.models.training.CaseLog.Role",
        "ExpenditureStatusEnum": "programs.models.funds.Expenditure.Status",
        "RoleEnum": "accounts.roles.Role",
        "CourseCategoryEnum": "programs.models.programs.CourseCategory",
        "FundCategoryEnum": "programs.models.funds.FundCategory",
        "SeverityEnum": "supervision.models.audit.Severity",
        "FindingStatusEnum": "supervision.models.audit.Finding.Status",
        "IndicatorCategoryEnum": "evaluation.models.indicators.IndicatorCategory",
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 -- documented demo password, seed_demo only
