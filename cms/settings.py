"""What a host Wagtail site adds to its settings to install Zhunru (README: "Install into an existing Wagtail site").

    from zhunru.settings import ZHUNRU_APPS, ZHUNRU_MIDDLEWARE
    INSTALLED_APPS += [a for a in ZHUNRU_APPS if a not in INSTALLED_APPS]
    MIDDLEWARE += ZHUNRU_MIDDLEWARE

Importing this module needs no configured settings. Every other setting the plugin reads has a default
(``zhunru.conf.SETTING_DEFAULTS``, applied by the core app before django_dramatiq builds its broker); the
system checks say what a host should still configure. Optional features whose library is missing (an extra
not installed, e.g. ``zhunru[2fa]``) are left out here and named by a system check.
"""

from importlib.util import find_spec


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


TWO_FACTOR_AVAILABLE = installed("django_otp")

ZHUNRU_PLUGIN_APPS = [
    "zhunru",  # core: jurisdictions, departments, roles, policy pages, attachments (first: sets defaults)
    "zhunru.audit",  # tamper-evident audit trail
    "zhunru.leads",  # lead tracker and the "0137" deadlines
    "zhunru.cases",  # case register, bulletins, self-inspection ledger
    "zhunru.catalog",  # negative list editions, service items, ratings, screening
    "zhunru.credit",  # market subjects, commitments, credit-platform exchange
    "zhunru.portal",  # public portal and complaints
    "zhunru.security",  # login throttling, two-factor authentication, CSP, backup and restore
    "zhunru.search",  # Chinese full-text search
    "zhunru.workers",  # Dramatiq actors and the scheduler
]

# Third-party apps the plugin needs beside those of every `wagtail start` site. The core app "zhunru" comes
# before django_dramatiq, whose AppConfig builds the broker from DRAMATIQ_BROKER as it is created.
ZHUNRU_LIBRARY_APPS = [
    "wagtail.api.v2",
    "ninja",  # serves the API docs' Swagger UI from our own static files (the CSP allows no CDN)
    "rest_framework",
    "django_filters",
    "auditlog",
    "corsheaders",
    "axes",
    "csp",
    *(
        ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
        if TWO_FACTOR_AVAILABLE
        else []
    ),
    "django_dramatiq",
]

ZHUNRU_APPS = [*ZHUNRU_PLUGIN_APPS, *ZHUNRU_LIBRARY_APPS]

# Appended after the host's own middleware (after its session and authentication middleware). Zhunru's CSP,
# two-factor and audit middleware act on the plugin's URLs and the Wagtail admin only (zhunru.scope).
ZHUNRU_MIDDLEWARE = [
    "zhunru.security.csp.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Out-of-bounds pagination, NUL characters and lone surrogates: a Chinese 400 before any view.
    "zhunru.input_bounds.InputBoundsMiddleware",
    *(["django_otp.middleware.OTPMiddleware"] if TWO_FACTOR_AVAILABLE else []),
    "zhunru.security.middleware.TwoFactorMiddleware",
    "zhunru.security.middleware.JurisdictionWideReportsMiddleware",
    "zhunru.audit.middleware.AuditlogMiddleware",
    # Anonymous portal pages and API reads from the cache (inside CSP, CSRF, sessions and authentication).
    "zhunru.portal.caching.PortalCacheMiddleware",
    # Wagtail admin's password reset, throttled per client address, e-mail address and account.
    "zhunru.security.password_reset.PasswordResetThrottleMiddleware",
    # Last: turns a django-axes lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes refuses a locked-out login before the password is checked; the host lists it first.
ZHUNRU_AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


# Defaults for every actor unless it says otherwise.
ACTOR_MAX_RETRIES = 10
ACTOR_TIME_LIMIT_MS = 10 * 60 * 1000
ACTOR_MAX_AGE_MS = 7 * 24 * 3600 * 1000


def dramatiq_broker(redis_url: str = "", namespace: str = "zhunru", extra_middleware: list | None = None, *,
                    max_retries: int = ACTOR_MAX_RETRIES, time_limit_ms: int = ACTOR_TIME_LIMIT_MS,
                    max_age_ms: int = ACTOR_MAX_AGE_MS) -> dict:
    """A DRAMATIQ_BROKER setting: Redis when ``redis_url`` is set, else the in-process stub broker.

    The plugin applies ``dramatiq_broker()`` itself when a host sets no DRAMATIQ_BROKER (never RabbitMQ,
    django_dramatiq's own default, whose client is not installed); ``manage.py serve`` then runs the
    worker in the web process."""
    from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, TimeLimit

    return {
        "BROKER": "dramatiq.brokers.redis.RedisBroker" if redis_url else "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {"url": redis_url, "namespace": namespace} if redis_url else {},
        "MIDDLEWARE": [
            AgeLimit(max_age=max_age_ms),
            TimeLimit(time_limit=time_limit_ms),
            Callbacks(),
            Pipelines(),
            Retries(max_retries=max_retries, min_backoff=5_000, max_backoff=30 * 60 * 1000),
            "django_dramatiq.middleware.DbConnectionsMiddleware",
            *(extra_middleware or []),
        ],
    }


def _broker_default_in_any_order() -> None:
    """Give DRAMATIQ_BROKER its default whichever of django_dramatiq and the Zhunru apps a host lists first.

    django_dramatiq builds its broker in its AppConfig's ``__init__`` from DRAMATIQ_BROKER, else its own
    RabbitMQ default (whose client is not installed: an ImportError before any system check could speak).
    The core app applies the plugin's defaults when Django creates its config; a host that lists
    django_dramatiq above the Zhunru apps creates django_dramatiq's config first. So, when a host's settings
    import this module, django_dramatiq's ``broker_settings`` applies the plugin's defaults before it reads
    the setting. A host's own DRAMATIQ_BROKER still wins (defaults fill only unset settings)."""
    try:
        from django_dramatiq.apps import DjangoDramatiqConfig
    except ImportError:  # pragma: no cover - django-dramatiq is a hard dependency
        return
    original = DjangoDramatiqConfig.broker_settings.__func__
    if getattr(original, "zhunru_defaults", False):
        return

    def broker_settings(cls):
        from zhunru.conf import apply_defaults

        apply_defaults()
        return original(cls)

    broker_settings.zhunru_defaults = True
    DjangoDramatiqConfig.broker_settings = classmethod(broker_settings)


_broker_default_in_any_order()
