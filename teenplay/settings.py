"""Teenplay settings. Every deploy-specific value comes from the environment.

Development defaults are safe only while DEBUG is on; with DEBUG off the app
refuses to start without SECRET_KEY and turns on the secure cookie/HTTPS settings.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable, "
            "or DEBUG=true for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "member",
    "activity",
    "recommender",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "teenplay.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login into the 429 page (member.throttle).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "teenplay.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "teenplay.wsgi.application"
ASGI_APPLICATION = "teenplay.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that never answers fails the request after this many seconds (a 503
    # page, teenplay.errors) instead of holding a worker for the OS's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5")))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DB_PREPARED_STATEMENTS", "1") == "1":
    # Parameters bound on the server, so a query asked again (the AI tab's, a like's) runs from a
    # prepared statement, parsed and planned once per connection. Set DB_PREPARED_STATEMENTS=0
    # behind a pooler in transaction mode (PgBouncer), which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (a page view and a like at once) wait instead of failing.
    # IMMEDIATE takes the write lock at BEGIN, so two read-modify-write transactions
    # (two learning events of one member) queue instead of losing an update.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    # The test database's name is set in tests/settings.py.

# Background tasks (the member models' learning), Django's tasks API through django-tasks.
# TASKS_BACKEND: "database" (default: the queue is a table in the site's database, run by
# `manage.py db_worker`, no extra service), "rq" (Redis at REDIS_URL, run by
# `manage.py rqworker --job-class django_tasks_rq.Job`) or "immediate" (in the request, for tests).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database").strip().lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "member.Member"
AUTHENTICATION_BACKENDS = [
    "member.throttle.LoginThrottleBackend",  # refuses logins while locked out (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "member:login"
LOGIN_REDIRECT_URL = "activity:main"
LOGOUT_REDIRECT_URL = "activity:main"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko-kr"
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files from `collectstatic`, which writes the manifest whatever DEBUG
        # is (so a collectstatic run with DEBUG on still serves a DEBUG-off site). With DEBUG on,
        # pages link the unhashed sources and WhiteNoise serves them without a manifest.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("STATIC_MANIFEST", True)
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "teenplay.schema.TeenplayAutoSchema",
    "DEFAULT_PARSER_CLASSES": ["teenplay.api.SafeJSONParser"],
    "EXCEPTION_HANDLER": "teenplay.api.json_exception_handler",
}
CSRF_FAILURE_VIEW = "teenplay.errors.csrf_failure"
SPECTACULAR_SETTINGS = {
    "TITLE": "Teenplay API",
    "DESCRIPTION": "Teenplay 활동 추천, 좋아요, 관심사 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Security: on whenever DEBUG is off; each can be turned off explicitly (e.g. a
# plain-HTTP test server) through the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Believe X-Forwarded-Proto / X-Forwarded-For only when a proxy in front sets them (and drops
# what the client sent); otherwise any client could claim HTTPS or another address.
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUST_PROXY_HEADERS else None
X_FRAME_OPTIONS = "DENY"

# Login throttling (django-axes, see member/throttle.py): failures per account and per client
# address; at the limit within the cool-off the login answers 429 until the cool-off has passed.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = False  # member.throttle resets only the account's own failures
AXES_USERNAME_CALLABLE = "member.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "teenplay.proxy.client_ip"
AXES_LOCKOUT_CALLABLE = "member.throttle.locked_out_response"
AXES_HTTP_RESPONSE_CODE = 429

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Axes logs every failed login at INFO; lockouts (WARNING) are what an operator reads.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Recommender ---
# The shipped model; a path from settings only (never from the database).
RECOMMENDER_MODEL_PATH = Path(os.environ.get("RECOMMENDER_MODEL_PATH", BASE_DIR / "models" / "activity_recommender.pkl"))
# Labelled real text (category_id, text) that train_recommender scores beside its own splits,
# never trains on: by default the shared evaluation files beside the project, when present.
RECOMMENDER_REAL_TEXT_FILES = [
    Path(path) for path in os.environ.get(
        "RECOMMENDER_REAL_TEXT_FILES",
        ",".join(str(BASE_DIR.parent / "shared" / "eval" / name) for name in ("real_listings.tsv", "real_keywords.tsv")),
    ).split(",") if path.strip()
]
# "personal" mixes the member's recent behaviour into the AI tab's ranking; "plain" ranks by the
# member model's predict_proba of their interests alone, with equal event weights ("ranked" also
# orders the activities inside the shown categories by the member's model).
RECOMMENDER_RANKING = os.environ.get("RECOMMENDER_RANKING", "personal")
RECOMMENDER_EVENT_WEIGHTS = {
    "view": float(os.environ.get("RECOMMENDER_VIEW_WEIGHT", "1.0")),
    "like": float(os.environ.get("RECOMMENDER_LIKE_WEIGHT", "1.0" if RECOMMENDER_RANKING == "plain" else "2.0")),
}
# Reloading an activity page within this window learns once.
RECOMMENDER_VIEW_COOLDOWN_MINUTES = int(os.environ.get("RECOMMENDER_VIEW_COOLDOWN_MINUTES", "30"))
# Likes and learning events a member may make per minute (beyond it: 429 for likes, a page
# view is shown but not learned), and the window in which a like undone by an unlike learns
# nothing and both events leave the log.
RECOMMENDER_EVENTS_PER_MINUTE = int(os.environ.get("RECOMMENDER_EVENTS_PER_MINUTE", "60"))
RECOMMENDER_LIKE_TOGGLE_MINUTES = int(os.environ.get("RECOMMENDER_LIKE_TOGGLE_MINUTES", "10"))
RECOMMENDER_RECENCY_HALF_LIFE_DAYS = float(os.environ.get("RECOMMENDER_RECENCY_HALF_LIFE_DAYS", "30"))
RECOMMENDER_DEFAULT_SEASON_KEYWORDS = "여행 바다 산 여름 시원한"
RECOMMENDER_SIMILAR_COUNT = 4
# Per-process caches of ids (never of cards or like states): the newest open activities of each
# category for the AI tab, and the main page's 인기/최신 tabs; and today's season keywords. Saving
# an activity or a club (a keyword set) empties them in its process; other processes follow within
# this many seconds. 0 turns them off.
RECOMMENDER_NEWEST_CACHE_SECONDS = float(os.environ.get("RECOMMENDER_NEWEST_CACHE_SECONDS", "10"))
ACTIVITY_TAB_CACHE_SECONDS = float(os.environ.get("ACTIVITY_TAB_CACHE_SECONDS", "30"))
RECOMMENDER_SEASON_CACHE_SECONDS = float(os.environ.get("RECOMMENDER_SEASON_CACHE_SECONDS", "60"))
# Experiment arms for the AI tab, e.g. "personal=50,ranked=50" (arms: plain, personal, ranked).
# Empty: everyone gets RECOMMENDER_RANKING. Members are assigned by a stable hash of their id
# and the experiment's name; logged-out visitors by their random visitor cookie.
RECOMMENDER_EXPERIMENT = os.environ.get("RECOMMENDER_EXPERIMENT", "").strip()
RECOMMENDER_EXPERIMENT_NAME = os.environ.get("RECOMMENDER_EXPERIMENT_NAME", "ai-tab").strip() or "ai-tab"
# Impressions and clicks older than this are deleted by `manage.py prune_recommendation_events`.
RECOMMENDER_EVENTS_RETENTION_DAYS = int(os.environ.get("RECOMMENDER_EVENTS_RETENTION_DAYS", "90"))
# A like this soon after a click counts as a like after that click.
RECOMMENDER_VISIT_MINUTES = int(os.environ.get("RECOMMENDER_VISIT_MINUTES", "30"))
RECOMMENDER_VISITOR_COOKIE = "tp_visitor"
