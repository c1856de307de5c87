"""Settings of a host site as `wagtail start` writes them, plus README's lines, and nothing of this project's.

Used in a subprocess by tests/deploy/test_host_site.py: no REDIS_URL, VAR_DIR, DRAMATIQ_BROKER,
ZHUNRU_PRIVATE_MEDIA_ROOT or CONTENT_SECURITY_POLICY, so the plugin's defaults must carry it.
"""

import os
from pathlib import Path

BASE_DIR = Path(os.environ["HOST_BASE_DIR"])
SECRET_KEY = "host-site-test-key"
DEBUG = True
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
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
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
ROOT_URLCONF = "tests.deploy.host_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}}
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"
WAGTAIL_SITE_NAME = "hostsite"
WAGTAILADMIN_BASE_URL = "http://example.com"

# Zhunru (README: Install into an existing Wagtail site)
from zhunru.settings import ZHUNRU_APPS, ZHUNRU_MIDDLEWARE  # noqa: E402

INSTALLED_APPS += [a for a in ZHUNRU_APPS if a not in INSTALLED_APPS]
MIDDLEWARE += ZHUNRU_MIDDLEWARE
