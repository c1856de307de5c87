"""Production: every value comes from the environment; refuses to start without a real secret."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

_INSECURE_MARKERS = ("dev-only", "test-only", "change-me", "changeme", "django-insecure", "secret")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境未设置 SECRET_KEY 环境变量，拒绝启动。请设置一个至少 50 个字符的随机密钥。")
if len(SECRET_KEY) < 50 or SECRET_KEY.lower() in _INSECURE_MARKERS or SECRET_KEY.startswith(_INSECURE_MARKERS):
    raise ImproperlyConfigured("SECRET_KEY 为默认值或过短（少于 50 个字符），拒绝启动。请设置一个随机密钥。")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("生产环境必须设置 DATABASE_URL（PostgreSQL）。")

DEBUG = False
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("生产环境必须设置 ALLOWED_HOSTS（以逗号分隔的域名）。")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a TLS-terminating proxy (deploy/README.md) that appends to X-Forwarded-For: name it in
# ZHUNRU_TRUSTED_PROXIES (compose does). Without it, the older ZHUNRU_PROXY_COUNT (default 1) applies and
# check zhunru_cms.W003 warns that any peer could then forge the header.
ZHUNRU_PROXY_COUNT = int(os.environ.get("ZHUNRU_PROXY_COUNT", "0" if ZHUNRU_TRUSTED_PROXIES else "1"))  # noqa: F405
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's preview panel frames our own pages, so framing is allowed from the same origin only
# (CSP frame-ancestors 'self' says the same). Django's deploy check wants DENY, which would break
# the preview; the warning is silenced here on purpose, not by oversight.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Structured logs (one JSON object per line, with the request id); LOG_FORMAT=text for plain lines.
from deploy.logging import logging_config  # noqa: E402

LOGGING = logging_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json"))
