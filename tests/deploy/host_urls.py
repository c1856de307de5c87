"""URLs of a host site as README writes them: its own pages, Wagtail's admin, Zhunru under /zhunru/."""

from django.http import HttpResponse
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls


def host_page(request):
    return HttpResponse("<p>主办网站自己的页面</p>")


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("host-page/", host_page, name="host_page"),
    path("zhunru/", include("zhunru.urls")),
    path("", include(wagtail_urls)),
]
