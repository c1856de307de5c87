"""Test settings: SQLite + stub broker by default, PostgreSQL and Redis when their URLs are set."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Notification e-mails are relayed right after commit (no worker runs in tests); outbox tests switch to "worker".
ZHUNRU_LEADS_EMAIL_RELAY = "inline"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Everything a test run writes is named after its process: the test database, the Redis namespace and cache
# prefix, media and the search index. So are pytest-xdist's workers (one process each, and pytest-django adds
# the worker's id to the database name: test_zhunru_<pid>_gw0): parallel workers never share any of them.
_TEST_VAR = VAR_DIR / "test" / str(os.getpid())
MEDIA_ROOT = _TEST_VAR / "media"
ZHUNRU_PRIVATE_MEDIA_ROOT = _TEST_VAR / "private"
ZHUNRU_SEARCH["PATH"] = str(_TEST_VAR / "search-index")  # noqa: F405
if not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = str(_TEST_VAR / "db.sqlite3")  # noqa: F405
else:
    # Several test runs may share one server (developers side by side): a test database each.
    DATABASES["default"]["TEST"] = {"NAME": f"test_zhunru_{os.getpid()}"}  # noqa: F405
if REDIS_URL:  # noqa: F405
    # Queues and cache keys of this run only, so parallel runs never consume each other's messages.
    DRAMATIQ_BROKER["OPTIONS"]["namespace"] = f"zhunru-test-{os.getpid()}"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"zhunru-test-{os.getpid()}"  # noqa: F405
# No full-page cache (zhunru.portal.caching): pages would outlive a test's rolled-back rows; its own tests turn it on.
ZHUNRU_PAGE_CACHE_SECONDS = 0
_TEST_VAR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT = _TEST_VAR / "static"  # WhiteNoise warns about a missing directory otherwise
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Cached dashboard figures off by default, as the page cache: a test that wants them sets the seconds.
ZHUNRU_LEADS_FIGURES_CACHE_SECONDS = 0
