"""Negative list browser and service item pages, reading cms.catalog once it provides its models."""

from django.http import Http404
from django.template.response import TemplateResponse

from cms.portal.catalog import catalog_available
from cms.portal.views import _jurisdiction


def _require_catalog():
    if not catalog_available():
        raise Http404("负面清单栏目尚未开通。")


def catalog_index(request, code: str):
    jurisdiction, home = _jurisdiction(code)
    _require_catalog()
    return TemplateResponse(request, "zhunru_portal/catalog_index.html", {
        "jurisdiction": jurisdiction, "portal_home": home, "portal_section": "catalog",
    })


def list_item(request, code: str, pk: int):
    _require_catalog()
    raise Http404


def service_item(request, code: str, pk: int):
    _require_catalog()
    raise Http404
