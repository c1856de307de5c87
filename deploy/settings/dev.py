"""Local development and `make run`: SQLite, stub broker, embedded search unless URLs are set."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
ALLOWED_HOSTS = ["*"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405  (SQLite file, indexes, uploads)

# SQLite (WAL, IMMEDIATE transactions, busy timeout) is configured in base.SQLITE_OPTIONS.
