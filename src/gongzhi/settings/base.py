"""Settings shared by every deployment; everything that differs between machines comes from the environment.

Embedded default: one SQLite file under ``var/`` in WAL mode, tasks run in-process, no Redis.
Production: ``DATABASE_URL=postgres://…``, ``REDIS_URL`` for the cache and ``CELERY_BROKER_URL`` for workers.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/gongzhi
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once per checkout and kept in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
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
    "django_htmx",
    "template_partials",
    "django_filters",
    "axes",
    "ninja",  # serves /api/v1/docs from its own static files: offline, no CDN
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.registry",
    "gongzhi.appeals",
    "gongzhi.deliberation",
    "gongzhi.volunteers",
    "gongzhi.care",
    "gongzhi.notifications",
    "gongzhi.triage",
    "gongzhi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.core.middleware.SecurityHeadersMiddleware",  # CSP and Permissions-Policy on every response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.core.middleware.UserPreferencesMiddleware",
    # refuses NUL characters and oversized bodies before a view or the database sees them (issue 21)
    "gongzhi.core.middleware.RequestGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, so that it sees the outcome of authentication attempts made by views
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

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
                "gongzhi.web.context_processors.navigation",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "gongzhi.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on busy_timeout instead of failing with "database is locked" half-way through.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
# PostgreSQL binds parameters on the server, and a statement run 5 times on a connection is prepared: parsing
# and planning each query again was half of PostgreSQL's time on an intake (appeals.intake_http measures it).
# Behind a pooler in transaction mode older than PgBouncer 1.21, set DATABASE_PREPARED_STATEMENTS=0.
POSTGRESQL_OPTIONS = {"server_side_binding": True,
                      "prepare_threshold": 5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {**POSTGRESQL_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: Redis in production; per-process memory otherwise (nothing may rely on it being shared) --
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- auth ---------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts before checking passwords
    "gongzhi.accounts.backends.UsernameOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
# An API token works this many days from its issue, then the client asks for a new one (issue 21); a changed
# password ends all of a user's tokens at once
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))

# Failed log-ins: five wrong passwords for one account from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "gongzhi.accounts.backends.lockout_name"  # the account, however its name was typed
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gongzhi.accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_VERBOSE = False

# --- i18n: Chinese first, English available -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and media ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root even when it serves from finders
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps' static folders when collectstatic was not run
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LEDGER_MAX_UPLOAD_BYTES = int(os.environ.get("LEDGER_MAX_UPLOAD_BYTES", str(64 * 1024 * 1024)))

# --- Celery: a broker in production; without one, tasks run in-process when their transaction commits --
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# --- security headers -------------------------------------------------------------------------------------
# Every script and style is a static file (htmx, ECharts, app.js, app.css): no inline code, no other origin.
# core.middleware.SecurityHeadersMiddleware sends these; a deployment may tighten them through the environment.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
]))
# nothing here uses these browser features; a photo is taken through the file picker, not the camera API
PERMISSIONS_POLICY = os.environ.get("PERMISSIONS_POLICY", ", ".join(
    f"{feature}=()" for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
                                    "microphone", "payment", "usb")))
# X-Forwarded-Proto says a request came over HTTPS only if a proxy we run sets it; reached directly, any client
# could send it and pass for secure. BEHIND_PROXY=1 where nginx or a load balancer terminates TLS.
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

GONGZHI = {
    # where residents reach the site: links in SMS (a caller's link to follow and rate her appeal) start so
    "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000"),
    # the working day deadlines count (接诉即办): morning and afternoon, Monday–Friday plus make-up days
    "WORKING_HOURS": (("09:00", "12:00"), ("13:30", "17:30")),
    # a resolved appeal closes by itself this many days after its reply if nobody rates it
    "AUTO_CLOSE_DAYS": 7,
    # a dissatisfied resident may reopen within this many days of the reply
    "REOPEN_DAYS": 7,
    # a subdistrict or department called in by a whistle must report in within this many working hours
    "REPORT_IN_HOURS": 2,
    # … and, once reported in, act and say what it did within this many working hours (协办时限)
    "COHANDLE_HOURS": 24,
    # the worker is warned when this share of a deadline has passed
    "WARN_AT": 0.8,
    # how SMS and e-mail leave the system (dotted paths); in-app notifications need none
    "NOTIFY_BACKENDS": {
        "sms": os.environ.get("SMS_BACKEND", "gongzhi.notifications.backends.ConsoleBackend"),
        "email": os.environ.get("EMAIL_NOTIFY_BACKEND", "gongzhi.notifications.backends.ConsoleBackend"),
    },
    # volunteers: a shift is settled (no-shows, forgotten check-outs) this many hours after it ends; an order in the
    # points shop nobody collects goes back on the shelf after this many days
    "SHIFT_SETTLE_HOURS": 2,
    "SHOP_HOLD_DAYS": 14,
    # Ages at which a resident counts as elderly (60+, 002); derived from the birth date, never stored.
    "ELDERLY_AGE": 60,
    # triage intelligence (智能分拨): the first read of every appeal
    "TRIAGE": {
        # the shared data the base model learns from (train.csv, hot.csv, replies.csv)
        "DATA_DIR": Path(os.environ.get("GONGZHI_TRIAGE_DATA", PROJECT_DIR.parent / "shared" / "data" / "appeals")),
        "MODEL_DIR": VAR_DIR / "models",
        # a suggestion at least this sure is applied and the appeal dispatched; below, a person decides
        "AUTO_APPLY": float(os.environ.get("GONGZHI_TRIAGE_AUTO_APPLY", "0.9")),
        # how often a process looks for a newer model (trained at night, or after the catalogue changed)
        "RECHECK_SECONDS": float(os.environ.get("GONGZHI_TRIAGE_RECHECK_SECONDS", "60")),
        # below this, the likeliest family (first-level category) is too unsure to offer: the worker chooses
        "UNSURE": float(os.environ.get("GONGZHI_TRIAGE_UNSURE", "0.5")),
        # the softmax temperature of the catalogue's model: the lowest log loss of the family on cross-validated
        # catalogue examples (0.15–0.2) and on the held-apart everyday messages (0.2–0.25); see docs/triage.md
        "TEMPERATURE": 0.2,
        # each message of the shared city data counts this much of a catalogue example, and each of its labels at
        # most this many examples' worth in all (triage.services.training_set)
        "SHARED_WEIGHT": 0.3,
        "SHARED_LABEL_WEIGHT": 300.0,
        # a category learns from the instance's own appeals once it has this many of them; fewer roll up
        "MIN_EXAMPLES": 20,
        # at most this many of the instance's own appeals (newest first) join the training set
        "MAX_OWN_EXAMPLES": 50000,
        # an appeal of this instance counts this many times a shared message: it is this city's wording, and a
        # worker chose its category
        "OWN_WEIGHT": 2.0,
        # hotspots kept per community (and per subdistrict, for appeals placed above any community) in each run
        "HOTSPOTS_KEEP": 10,
        # the period hotspots are found in, in days
        "HOTSPOT_DAYS": 30,
    },
}
