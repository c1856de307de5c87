"""Settings shared by every environment. Optional services switch on when their URL is set."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from zhunru.conf import content_security_policy
from zhunru.settings import (
    TWO_FACTOR_AVAILABLE,
    ZHUNRU_APPS,
    ZHUNRU_AUTHENTICATION_BACKENDS,
    dramatiq_broker,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ZHUNRU_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]

# The plugin: every app Zhunru needs (its own and the libraries'), as a host site adds them; then Wagtail's.
INSTALLED_APPS = [*ZHUNRU_APPS] + [app for app in [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
] if app not in ZHUNRU_APPS]

# Zhunru's middleware (zhunru.settings.ZHUNRU_MIDDLEWARE) in the project's own order: CSP and CORS early.

MIDDLEWARE = [
    # First: X-Forwarded-* from anyone but a ZHUNRU_TRUSTED_PROXIES address is dropped (zhunru.proxies).
    "zhunru.proxies.ForwardedHeadersMiddleware",
    "deploy.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zhunru.security.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "zhunru.input_bounds.InputBoundsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    *(["django_otp.middleware.OTPMiddleware"] if TWO_FACTOR_AVAILABLE else []),
    "zhunru.security.middleware.TwoFactorMiddleware",
    "zhunru.security.middleware.JurisdictionWideReportsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhunru.audit.middleware.AuditlogMiddleware",
    # Anonymous portal pages and API reads from the cache (inside CSP, CSRF, sessions and authentication).
    "zhunru.portal.caching.PortalCacheMiddleware",
    # Wagtail's redirects, asking one indexed question before looking up the site on a 404 (zhunru.redirects).
    "zhunru.redirects.RedirectMiddleware",
    "zhunru.security.password_reset.PasswordResetThrottleMiddleware",
    # Last: turns a django-axes lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "deploy.urls"
WSGI_APPLICATION = "deploy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# The embedded SQLite default has the web server, worker threads and scheduler writing at once.
# WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so a
# transaction that reads then writes waits for the lock (busy timeout, seconds) instead of failing
# at once with "database is locked" when it upgrades; NORMAL is the safe setting under WAL.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [*ZHUNRU_AUTHENTICATION_BACKENDS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Evidence, case files and complaint attachments live outside MEDIA_ROOT and are
# served only through permission-checked views.
ZHUNRU_PRIVATE_MEDIA_ROOT = Path(os.environ.get("ZHUNRU_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

WAGTAIL_SITE_NAME = "准入 · 市场准入负面清单工作平台"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "doc", "xls", "odt", "ods", "txt", "csv", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Wagtail's own search is only used for admin title lookups; Chinese full-text
# search goes through the `search` package (see ZHUNRU_SEARCH).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
WAGTAILAPI_LIMIT_MAX = 100

# No calls from the admin to third parties: no Gravatar (avatars are uploaded), no release check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The time zone offered in account settings (the full list holds "localtime", which browsers reject).
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]

# --- Content Security Policy (django-csp) -----------------------------------
# Portal and API: scripts only from our origin or with the request's nonce (zhunru.conf.content_security_policy).
# Wagtail admin pages get ZHUNRU_CSP_ADMIN_DIRECTIVES instead (cms/security/conf.py: Wagtail needs
# 'unsafe-inline' for scripts and styles). Same-origin framing only, for Wagtail's preview panel.
CONTENT_SECURITY_POLICY = content_security_policy()
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's preview panel frames our own pages; CSP frame-ancestors agrees

# --- Redis / Dramatiq -------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

# Defaults for every actor unless it says otherwise.
ZHUNRU_ACTOR_MAX_RETRIES = 10
ZHUNRU_ACTOR_TIME_LIMIT_MS = 10 * 60 * 1000
ZHUNRU_ACTOR_MAX_AGE_MS = 7 * 24 * 3600 * 1000

# Redis when REDIS_URL is set, else the in-process stub broker (`make run` consumes it in the web process).
DRAMATIQ_BROKER = dramatiq_broker(REDIS_URL, namespace=os.environ.get("DRAMATIQ_NAMESPACE", "zhunru"),
                                  extra_middleware=["deploy.logging.MessageRequestIdMiddleware"],
                                  max_retries=ZHUNRU_ACTOR_MAX_RETRIES, time_limit_ms=ZHUNRU_ACTOR_TIME_LIMIT_MS,
                                  max_age_ms=ZHUNRU_ACTOR_MAX_AGE_MS)
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]


def redis_cache(url: str, key_prefix: str = "") -> dict:
    """A CACHES entry on Redis that fails open: with Redis unreachable every read is a miss and every write is
    dropped (django-redis IGNORE_EXCEPTIONS), so pages still answer; short socket timeouts keep an unreachable
    server from holding a request. The cache holds nothing the database does not; /readyz names the outage
    ("degraded") and the rate limits log it (zhunru.throttling)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1.0},
    }


CACHES = (
    {"default": redis_cache(REDIS_URL)}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# --- Search -----------------------------------------------------------------
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# Backend by dotted path: ZHUNRU_SEARCH_BACKEND wins; otherwise Elasticsearch when its URL is set, else the
# embedded Tantivy index (zhunru.search.backends.sqlite_fts.SqliteFtsBackend is the dependency-free fallback).
ZHUNRU_SEARCH = {
    "BACKEND": os.environ.get("ZHUNRU_SEARCH_BACKEND")
    or ("zhunru.search.backends.elasticsearch.ElasticsearchBackend" if ELASTICSEARCH_URL
        else "zhunru.search.backends.embedded.EmbeddedBackend"),
    "URL": ELASTICSEARCH_URL,
    "INDEX": os.environ.get("ZHUNRU_SEARCH_INDEX", "zhunru"),
    "PATH": os.environ.get("ZHUNRU_SEARCH_PATH", str(VAR_DIR / "search-index")),
}

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") in ("1", "true", "True")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "准入平台 <noreply@zhunru.invalid>")

# --- Audit ------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # restoring a backup (loaddata) is not a change to record
# Days audit entries are kept. Unset or 0 (the default): forever — the trail is the evidence of what
# officers did. When set, the worker prunes older entries daily (workers/tasks/audit.py), leaving an
# anchor so the rest still verifies; below 180 days (网络安全法 第二十一条: network logs are kept for at
# least six months) the system check zhunru_audit.E001 refuses it.
ZHUNRU_AUDIT_RETENTION_DAYS = int(os.environ.get("ZHUNRU_AUDIT_RETENTION_DAYS") or 0) or None

# --- Client address and login throttling -----------------------------------
# The reverse proxies in front of the web process (addresses or networks, comma-separated): only a request
# from one of them may say who the client is (X-Forwarded-For) and its scheme (X-Forwarded-Proto); anyone
# else is a direct client. One definition (zhunru.proxies.client_ip) for the audit trail, login throttling,
# portal and API limits. ZHUNRU_PROXY_COUNT is the older, weaker form (N proxies, from any peer).
ZHUNRU_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("ZHUNRU_TRUSTED_PROXIES", "").split(",") if p.strip()]
# The health endpoints answer over plain HTTP wherever SECURE_SSL_REDIRECT is on: their probes (the kubelet,
# compose's healthcheck inside the container) are not the trusted proxy, so their X-Forwarded-Proto is dropped.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# The audit chain's checkpoints are signed with a key kept outside the database (zhunru_audit.W002 without it).
ZHUNRU_AUDIT_CHECKPOINT_KEY = os.environ.get("ZHUNRU_AUDIT_CHECKPOINT_KEY", "")
ZHUNRU_PROXY_COUNT = int(os.environ.get("ZHUNRU_PROXY_COUNT", "0"))
NINJA_NUM_PROXIES = ZHUNRU_PROXY_COUNT  # django-ninja's own get_ident: never a raw, client-set X-Forwarded-For
# 5 failed logins for one username from one address lock that pair out for 15 minutes; even the right
# password is refused meanwhile. Per pair, so nobody can lock an officer out from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 15 minutes after it began
AXES_LOCKOUT_CALLABLE = "zhunru.security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "zhunru.proxies.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit chain already
AXES_VERBOSE = False  # idem: no "AXES: ..." line per attempt and per process start

# --- Two-factor authentication (django-otp, TOTP) ----------------------------
# Optional for every admin user (account menu → 两步验证, /admin/zhunru-2fa/); compulsory for members of
# these groups (comma-separated names; "__superusers__", "__all__"). A session gives the code after the
# password before any admin page.
ZHUNRU_REQUIRE_2FA_FOR = [g.strip() for g in os.environ.get("ZHUNRU_REQUIRE_2FA_FOR", "").split(",") if g.strip()]
OTP_TOTP_ISSUER = "准入平台"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# CORS on the JSON APIs only; origins from the environment (comma-separated), none by default.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOWED_ORIGINS = [o.strip() for o in os.environ.get("ZHUNRU_CORS_ORIGINS", "").split(",") if o.strip()]
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
