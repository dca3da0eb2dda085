"""Settings for Image Studio. Everything comes from the environment, with embedded defaults.

The defaults run a complete studio on one machine: SQLite under `var/`, files under `var/media`,
Redis at 127.0.0.1:6379 (`make run` starts an embedded one when none answers there).
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# The engine's task names are defined once (jobs/engine/queue.py); the beat schedule names one.
from jobs.engine import SWEEP_TASK
from studio.env import env_bool, env_float, env_int, env_list, env_str
from studio.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STUDIO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_from_env_or_var(name: str, file_name: str, min_length: int = 50) -> str:
    """The variable `name`, or a random value kept in var/`file_name` so it survives restarts."""
    configured = env_str(name)
    if configured:
        if len(configured) < min_length:
            raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long")
        return configured
    key_file = VAR_DIR / file_name
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _secret_key() -> str:
    return _secret_from_env_or_var("DJANGO_SECRET_KEY", "secret_key")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# A stale form gets a page in the studio's style and language (studio/views/errors.py).
CSRF_FAILURE_VIEW = "studio.views.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "jobs",
    "studio",
]

MIDDLEWARE = [
    # Before all: under /v1 whatever answers below (the size limit, CSRF) answers in JSON.
    "studio.api.json_errors.ApiJsonMiddleware",
    "studio.middleware.RequestSizeLimitMiddleware",  # refuse oversized bodies unread
    "django.middleware.security.SecurityMiddleware",
    "studio.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Language: the person's choice (session, restored from their profile at login), else the
    # browser's Accept-Language. LocaleMiddleware reads the cookie and the header; the studio's
    # middleware after authentication applies the session/profile choice and the time zone.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "studio.preferences.PreferencesMiddleware",
    "studio.people.FirstPasswordMiddleware",  # a first password from an admin must be changed
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

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
                "django.template.context_processors.tz",
                "studio.preferences.theme",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'studio.sqlite3'}")
try:
    # Under ASGI (studio/asgi.py) persistent connections must be off: Django's advice.
    _database = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("STUDIO_DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from error
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file: wait for each other, never fail.
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env_bool("STUDIO_DB_POOL", False):
    # A worker's threads open and close connections for every short database phase
    # (jobs.concurrency): a pool makes that cheap. Django's pool needs CONN_MAX_AGE = 0.
    _database["CONN_MAX_AGE"] = 0
    _database["CONN_HEALTH_CHECKS"] = False
    _database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("STUDIO_DB_POOL_SIZE", 12, minimum=1),
        "timeout": 30,
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# The production image runs `collectstatic` with this on: hashed, compressed files that browsers
# may cache for ever. Without a collected manifest (a checkout, `make run`, the tests) files are
# served by name straight from static/ through WhiteNoise's finders.
STUDIO_STATIC_MANIFEST = env_bool(
    "STUDIO_STATIC_MANIFEST", default=(STATIC_ROOT / "staticfiles.json").exists()
)
WHITENOISE_USE_FINDERS = not STUDIO_STATIC_MANIFEST

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never routed: files are served through permission-checked views

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("STUDIO_PRESIGNED_URL_SECONDS", 300, minimum=10),
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
# Where images may be loaded from: ourselves, and with S3 the storage that presigned links lead to.
_image_sources = ["'self'", "data:", "blob:"]
if AWS_STORAGE_BUCKET_NAME:
    _endpoint = env_str("AWS_S3_ENDPOINT_URL")
    _image_sources.append(_endpoint.rstrip("/") if _endpoint else "https://*.amazonaws.com")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STUDIO_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Request size: the whole body (STUDIO_REQUEST_MAX_BYTES, checked from Content-Length before it is
# read and, under ASGI, counted as it arrives: studio/body_limit.py), the non-file part of it, how
# many files, and each file (STUDIO_UPLOAD_MAX_BYTES, checked as it arrives, then by the forms).
# The reverse proxy should refuse the same size first (nginx client_max_body_size).
FILE_UPLOAD_HANDLERS = [
    "studio.uploads.SizeLimitedUploadHandler",  # nothing past STUDIO_UPLOAD_MAX_BYTES is kept
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- Auth and security ------------------------------------------------------------------------
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTHENTICATION_BACKENDS = [
    "studio.login_throttle.LoginThrottleBackend",  # counts failures, refuses while locked
    "django.contrib.auth.backends.ModelBackend",
]
# Logins (the login page, /admin/ and API tokens): after STUDIO_LOGIN_FAILURE_LIMIT failures for
# one account from one address, that account is locked from that address; after
# STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT from one address, over all accounts, the whole address is.
# Either lasts STUDIO_LOGIN_LOCK_MINUTES (studio/login_throttle.py).
AXES_FAILURE_LIMIT = env_int("STUDIO_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("STUDIO_LOGIN_LOCK_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Three accounts' worth: a locked pair adds no failures, so one person's typos never reach it.
STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT = env_int(
    "STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT", 3 * AXES_FAILURE_LIMIT, minimum=1
)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock always ends on time
AXES_LOCKOUT_CALLABLE = "studio.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "studio.login_throttle.client_address"
AXES_VERBOSE = False
# How many reverse proxies in front append to X-Forwarded-For (0: use the connection's address).
STUDIO_TRUSTED_PROXIES = env_int("STUDIO_TRUSTED_PROXIES", 0, minimum=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# No inline scripts anywhere: every script is a file of ours. Styles may be inline (Django admin
# and htmx's indicator styles use them); they cannot run code.
STUDIO_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": _image_sources,
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True  # the switcher's cookie is read by the server only
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Production sits behind TLS (a proxy sets X-Forwarded-Proto). `make run` serves plain HTTP on
# 127.0.0.1 and turns this off with DJANGO_HTTPS=false.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# English and Simplified Chinese. Without a choice the browser's Accept-Language decides (zh-CN,
# zh-SG and zh-Hans all reach zh-hans); LANGUAGE_CODE is the fallback for anything else.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# TIME_ZONE is the server's zone (quota days start at its midnight) and the default zone pages
# show times in; each person may choose their own in their preferences.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env_str("STUDIO_CELERY_QUEUE", "celery")
CELERY_RESULT_BACKEND = None  # what people see lives on Job rows, not in a result backend
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("STUDIO_TASK_SOFT_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Hops mostly wait on providers: a threads pool runs hundreds of them in one process, and
# jobs.concurrency bounds what the threads share (database connections, memory for results).
CELERY_WORKER_POOL = env_str("STUDIO_WORKER_POOL", "threads")
CELERY_WORKER_CONCURRENCY = env_int("STUDIO_WORKER_THREADS", 200, minimum=1)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Reconnects after a Redis outage instead of exiting (studio/celery_consumer.py says why).
CELERY_WORKER_CONSUMER = "studio.celery_consumer:Consumer"
# Poll hops are scheduled with short countdowns; redelivery after an hour is only a safety net.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
# A web request that queues a job must not hang on a broker that is down: a few quick tries, then
# the job waits for the sweep (jobs/engine/queue.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-due-jobs": {
        "task": SWEEP_TASK,
        "schedule": float(env_int("STUDIO_SWEEP_SECONDS", 5, minimum=1)),
    },
}

# --- The studio -------------------------------------------------------------------------------
STUDIO_PROVIDERS_FILE = env_str("STUDIO_PROVIDERS_FILE")
# API keys at rest are sealed with their own key, not the secret key, so either can be rotated
# alone. The newest key seals; older ones (and, for keys sealed before this existed, the secret
# key) still open until `manage.py rotatekeys` has re-sealed everything.
STUDIO_ENCRYPTION_KEY = _secret_from_env_or_var(
    "STUDIO_ENCRYPTION_KEY", "encryption_key", min_length=32
)
STUDIO_ENCRYPTION_KEY_FALLBACKS = env_list("STUDIO_ENCRYPTION_KEY_FALLBACKS", [])
STUDIO_ENCRYPTION_KEY_FROM_ENV = bool(env_str("STUDIO_ENCRYPTION_KEY"))
# Which environment variables a key typed into admin may reference as env:NAME (globs).
STUDIO_ADMIN_ENV_KEYS = env_list("STUDIO_ADMIN_ENV_KEYS", ["STUDIO_KEY_*"])
# Redis for pushing job changes to pages (pub/sub); empty means the broker's.
STUDIO_EVENTS_REDIS_URL = env_str("STUDIO_EVENTS_REDIS_URL")
# Live pages (event streams) one person may hold open in one web process; more are refused (429)
# and those pages poll instead.
STUDIO_MAX_EVENT_STREAMS = env_int("STUDIO_MAX_EVENT_STREAMS", 6, minimum=1)
STUDIO_UPLOAD_MAX_BYTES = env_int("STUDIO_UPLOAD_MAX_BYTES", 20 * 2**20, minimum=1024)
STUDIO_REQUEST_MAX_BYTES = env_int("STUDIO_REQUEST_MAX_BYTES", 100 * 2**20, minimum=64 * 1024)
STUDIO_MAX_PIXELS = env_int("STUDIO_MAX_PIXELS", 40_000_000, minimum=1)
STUDIO_RESULT_MAX_BYTES = env_int("STUDIO_RESULT_MAX_BYTES", 50 * 2**20, minimum=1024)
# Transient provider failures are retried (backoff with jitter, up to a minute apart) for
# STUDIO_RETRY_WINDOW_SECONDS, and at most STUDIO_MAX_ATTEMPTS submits.
STUDIO_RETRY_WINDOW_SECONDS = env_int("STUDIO_RETRY_WINDOW_SECONDS", 300, minimum=0)
STUDIO_MAX_ATTEMPTS = env_int("STUDIO_MAX_ATTEMPTS", 20, minimum=1)
# The engine (jobs.engine, jobs.concurrency, jobs.limits); see the README's architecture section.
STUDIO_LEASE_SECONDS = env_int("STUDIO_LEASE_SECONDS", 30, minimum=3)
STUDIO_SWEEP_GRACE_SECONDS = env_int("STUDIO_SWEEP_GRACE_SECONDS", 10, minimum=1)
STUDIO_WORKER_DB_CONNECTIONS = env_int("STUDIO_WORKER_DB_CONNECTIONS", 8, minimum=1)
STUDIO_WORKER_RESULT_SLOTS = env_int("STUDIO_WORKER_RESULT_SLOTS", 4, minimum=1)
STUDIO_DOWNLOAD_SECONDS = env_int("STUDIO_DOWNLOAD_SECONDS", 120, minimum=1)
STUDIO_PROVIDER_BODY_MAX_BYTES = env_int(
    "STUDIO_PROVIDER_BODY_MAX_BYTES", 128 * 2**20, minimum=1024
)
STUDIO_POLL_MIN_SECONDS = env_float("STUDIO_POLL_MIN_SECONDS", 1.0, minimum=0.05)
STUDIO_POLL_MAX_SECONDS = env_float("STUDIO_POLL_MAX_SECONDS", 10.0, minimum=0.05)
STUDIO_MAX_RUNNING_JOBS = env_int("STUDIO_MAX_RUNNING_JOBS", 8, minimum=1)
# A batch's prompts at most, and a person's unfinished jobs after one (admin: per person).
STUDIO_MAX_BATCH_PROMPTS = env_int("STUDIO_MAX_BATCH_PROMPTS", 50, minimum=1)
STUDIO_SLOT_RETRY_SECONDS = env_float("STUDIO_SLOT_RETRY_SECONDS", 2.0, minimum=0.05)
STUDIO_HISTORY_PAGE_SIZE = env_int("STUDIO_HISTORY_PAGE_SIZE", 60, minimum=1)
# How long an API call waits for its job before answering 504 (the job goes on; ask for it later).
STUDIO_API_WAIT_SECONDS = env_int("STUDIO_API_WAIT_SECONDS", 300, minimum=1)
# Requests per minute one person may make over all their API tokens (0: no limit), so that making
# more tokens does not multiply the per-token limit.
STUDIO_API_PERSON_RATE_LIMIT = env_int("STUDIO_API_PERSON_RATE_LIMIT", 120, minimum=0)

# --- Operations: probes and metrics ---------------------------------------------------------------
# Orchestrators probe over plain HTTP from inside: never redirect the probes to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
STUDIO_METRICS_TOKEN = env_str("STUDIO_METRICS_TOKEN")
try:
    STUDIO_METRICS_NETWORKS = [
        ipaddress.ip_network(network)
        for network in env_list(
            "STUDIO_METRICS_NETWORKS",
            ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
        )
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"STUDIO_METRICS_NETWORKS: {error}") from error

STUDIO_LOG_FORMAT = env_str("STUDIO_LOG_FORMAT", "json").strip().lower()
if STUDIO_LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(
        f"STUDIO_LOG_FORMAT must be json or plain, not {STUDIO_LOG_FORMAT!r}"
    )
LOGGING = logging_config(STUDIO_LOG_FORMAT, env_str("STUDIO_LOG_LEVEL", "INFO"))
