"""Headless JSON API: Wagtail's API v2 for pages, and /api/v1/ for the domain, one router per app."""

from ninja import NinjaAPI
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from cms.plugins import zhunru_app_modules

wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", PagesAPIViewSet)
wagtail_api.register_endpoint("images", ImagesAPIViewSet)
wagtail_api.register_endpoint("documents", DocumentsAPIViewSet)


def build_api() -> NinjaAPI:
    """The /api/v1/ API: each app's ``api_v1`` module contributes ``router`` under ``prefix``."""
    api = NinjaAPI(
        title="准入 · 开放接口",
        version="1",
        description="市场准入负面清单工作平台的公开与内部 JSON 接口。",
        urls_namespace="zhunru_api",
    )
    for module in zhunru_app_modules("api_v1"):
        api.add_router(module.prefix, module.router)
    return api
