"""Plugin settings with the ZHUNRU_ prefix and their defaults.

``apply_defaults()`` gives every Django setting the plugin (or a library it configures) reads a default in
a host site that never set it, the way django-auditlog's and django-axes' ``conf`` modules do. The core
app's AppConfig calls it while Django creates app configs, before django_dramatiq (listed after it in
ZHUNRU_APPS) builds its broker from DRAMATIQ_BROKER.
"""

from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "PRIVATE_MEDIA_ROOT": Path("var/private"),
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    # The longest an import's batch of writes keeps its transaction open (zhunru.imports).
    "IMPORT_BATCH_SECONDS": 0.5,
}

# Settings that the host did not set and the plugin filled in (the system checks name them).
APPLIED: set[str] = set()


def get(name: str):
    value = getattr(settings, f"ZHUNRU_{name}", None)
    return DEFAULTS[name] if value is None else value


def var_dir() -> Path:
    """VAR_DIR, else ``var/`` beside the host's BASE_DIR (every `wagtail start` site has one), else cwd."""
    value = getattr(settings, "VAR_DIR", None)
    if value:
        return Path(value)
    base = getattr(settings, "BASE_DIR", None)
    return Path(base or Path.cwd()) / "var"


def private_media_root() -> Path:
    """ZHUNRU_PRIVATE_MEDIA_ROOT as a path. A value that is no path (check zhunru_cms.E001 names it) falls back
    to VAR_DIR/private, so a bad setting is a check message, not a TypeError while the models load."""
    try:
        return Path(get("PRIVATE_MEDIA_ROOT"))
    except TypeError:
        return var_dir() / "private"


def upload_max_bytes() -> int:
    """ZHUNRU_UPLOAD_MAX_BYTES; a value that is no positive whole number (check zhunru_cms.E004) gives the default."""
    value = get("UPLOAD_MAX_BYTES")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULTS["UPLOAD_MAX_BYTES"]


def import_batch_seconds() -> float:
    """ZHUNRU_IMPORT_BATCH_SECONDS; a value that is no number of seconds from 0 up gives the default (0: every
    write its own transaction)."""
    value = get("IMPORT_BATCH_SECONDS")
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return DEFAULTS["IMPORT_BATCH_SECONDS"]


REDIS_SCHEMES = ("redis", "rediss", "unix")


def redis_url_is_valid(url) -> bool:
    """Whether ``url`` is a Redis URL the client accepts (redis://, rediss://, unix://)."""
    return isinstance(url, str) and url.partition("://")[0].lower() in REDIS_SCHEMES and "://" in url


def content_security_policy() -> dict:
    """django-csp's CONTENT_SECURITY_POLICY for the portal and API (the admin gets CSP_ADMIN_DIRECTIVES).

    Scripts only from our origin or with the request's nonce; the portal's one <style> element carries the
    nonce; style-src-attr allows a few style="" attributes of portal templates. Same-origin framing only,
    for Wagtail's preview panel."""
    from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, NONCE],
            "style-src": [SELF, NONCE],
            "style-src-attr": [UNSAFE_INLINE],
            "img-src": [SELF, "data:"],
            "font-src": [SELF, "data:"],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [SELF],
        },
    }


def setting_defaults() -> dict:
    """Defaults of Django settings read as ``settings.NAME`` (by the plugin or the libraries it configures)."""
    from zhunru.settings import dramatiq_broker

    var = var_dir()
    redis_url = getattr(settings, "REDIS_URL", "") or ""
    return {
        "VAR_DIR": var,
        "REDIS_URL": redis_url,
        "ZHUNRU_PRIVATE_MEDIA_ROOT": var / "private",
        # Never django_dramatiq's RabbitMQ default: Redis when REDIS_URL is set, else the in-process stub broker.
        # A REDIS_URL the client would refuse (check zhunru_cms.E003) gives the stub broker, not a startup error.
        "DRAMATIQ_BROKER": dramatiq_broker(redis_url if redis_url_is_valid(redis_url) else ""),
        "CONTENT_SECURITY_POLICY": content_security_policy(),
        "AXES_LOCKOUT_CALLABLE": "zhunru.security.lockout.lockout_response",
        "AXES_CLIENT_IP_CALLABLE": "zhunru.proxies.client_ip",
    }


def apply_defaults() -> None:
    """Set each default on django.conf.settings that the host left unset (or set to None)."""
    for name, value in setting_defaults().items():
        if getattr(settings, name, None) is None:
            setattr(settings, name, value)
            APPLIED.add(name)
