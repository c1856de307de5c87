"""URLs of the plugin; include before Wagtail's catch-all page URL, at any prefix:
``path("zhunru/", include("zhunru.urls"))``. Every URL the plugin generates is reversed, so it carries
the prefix."""

from django.urls import include, path

from zhunru import health, views
from zhunru.api import build_api, wagtail_api
from zhunru.plugins import zhunru_app_modules

urlpatterns = [
    path("healthz", health.healthz, name="zhunru_healthz"),
    path("readyz", health.readyz, name="zhunru_readyz"),
    path("api/v2/", wagtail_api.urls),
    path("api/v1/", build_api().urls),
    path("attachments/<uuid:uuid>/", views.download_attachment, name="zhunru_attachment_download"),
]

for _module in zhunru_app_modules("urls"):
    if _module.__name__ != __name__:
        urlpatterns.append(path("", include(_module)))
