"""Settings and URLs of a bare Django app that answers with the client address zhunru.proxies believes.

Served by gunicorn behind deploy/Caddyfile in tests/deploy/test_caddy.py (DJANGO_SETTINGS_MODULE is this
module): the proxy-trust code and middleware of the real app, without its database or the rest of it, so
the server starts in a moment. ZHUNRU_TRUSTED_PROXIES comes from the environment, as in production.
"""

import os

from django.http import JsonResponse
from django.urls import path

SECRET_KEY = "proxy-test-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}
MIDDLEWARE = ["zhunru.proxies.ForwardedHeadersMiddleware"]
ROOT_URLCONF = __name__
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ZHUNRU_TRUSTED_PROXIES = os.environ.get("ZHUNRU_TRUSTED_PROXIES", "")


def whoami(request):
    from zhunru.proxies import client_ip

    return JsonResponse({"client_ip": client_ip(request), "scheme": request.scheme,
                         "forwarded_for": request.META.get("HTTP_X_FORWARDED_FOR", "")})


urlpatterns = [path("whoami", whoami)]
