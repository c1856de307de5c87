"""What is indexed: a registry of sources, each a model, its public queryset and a ``to_document``.

Only public content is indexed (live pages without view restrictions, published cases, …), and a
``to_document`` copies public fields only: never complainant details or internal notes. Models of
other apps are imported lazily (``apps.get_model`` at call time), so a source whose app has no such
model yet is skipped, not an error.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.clock import format_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    key: str  # the ``type`` of its documents and the prefix of their ids
    label: str  # shown as the hit's type
    model: str  # "app_label.ModelName"
    public_queryset: Callable[[type[models.Model]], models.QuerySet]
    to_document: Callable[[models.Model], dict]
    # Objects of other sources whose public status or content follows this one's
    # (publishing a bulletin makes its cases public): ``[(source_key, pk), …]``.
    dependents: Callable[[models.Model], list[tuple[str, object]]] | None = None

    def model_class(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None

    def queryset(self) -> models.QuerySet | None:
        model = self.model_class()
        return None if model is None else self.public_queryset(model)

    def document(self, obj: models.Model) -> dict:
        # The label is a lazy translation: indexed as text (backends serialise plain str).
        doc = {"type": self.key, "type_label": str(self.label), **self.to_document(obj)}
        doc["id"] = f"{self.key}:{obj.pk}"
        return finish(doc)


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.key] = source
    return source


def available_sources() -> list[Source]:
    """Registered sources whose model exists in this installation."""
    return [s for s in SOURCES.values() if s.model_class() is not None]


def source_for_model(model: type[models.Model]) -> Source | None:
    label = model._meta.label
    for source in SOURCES.values():
        if source.model.lower() == label.lower():
            return source
    return None


def finish(doc: dict) -> dict:
    """Normalise a document (text fields as plain text, year from date) and stamp its checksum."""
    for name in ("title", "summary", "text"):
        doc[name] = " ".join(strip_tags(str(doc.get(name) or "")).split())
    date = doc.get("date")
    doc["date"] = date.isoformat()[:10] if hasattr(date, "isoformat") else (date or None)
    doc["year"] = int(doc["date"][:4]) if doc["date"] else None
    doc["codes"] = [str(c) for c in doc.get("codes") or () if c]
    for name in ("url", "category", "department", "region"):
        doc[name] = str(doc.get(name) or "")
    doc.pop("checksum", None)
    doc["checksum"] = hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    return doc


def public_document(source_key: str, pk: str) -> dict | None:
    """The document for an object if it exists and is public, else None (its index copy must go)."""
    source = SOURCES.get(source_key)
    qs = source.queryset() if source else None
    if qs is None:
        return None
    obj = qs.filter(pk=pk).first()
    return source.document(obj) if obj is not None else None


def iter_documents(batch: int = 500) -> Iterator[dict]:
    """Every public document of every available source (for rebuilds and reconciliation)."""
    for source in available_sources():
        for obj in source.queryset().iterator(chunk_size=batch):
            try:
                yield source.document(obj)
            except Exception:
                log.exception("无法生成检索文档 %s:%s", source.key, obj.pk)


def count_documents() -> int:
    return sum(s.queryset().count() for s in available_sources())


# --- helpers for page sources -------------------------------------------------------------------

def public_pages(model: type[models.Model]) -> models.QuerySet:
    """Live pages outside any view-restricted section."""
    from wagtail.models import PageViewRestriction

    qs = model.objects.live()
    for restriction in PageViewRestriction.objects.select_related("page"):
        qs = qs.not_descendant_of(restriction.page, inclusive=True)
    return qs


def page_url(page) -> str:
    """The page's URL as the portal links it: on the host's own name under the plugin's prefix when a host
    site serves the jurisdictions there (``zhunru.demo._portal_in_host``), else Wagtail's (a jurisdiction's
    pages on its own host name)."""
    try:
        return _url_on_host_default_site(page) or page.get_url() or page.url_path
    except Exception:
        return page.url_path


def _url_on_host_default_site(page) -> str | None:
    from django.urls import reverse
    from wagtail.models import Site

    from zhunru.mounts import plugin_prefix

    if plugin_prefix() in (None, "/"):  # this project: zhunru.urls at the root, Wagtail's own choice
        return None
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not page.url_path.startswith(site.root_page.url_path):
        return None
    return reverse("wagtail_serve", args=(page.url_path[len(site.root_page.url_path):],))


def page_region(page) -> str:
    from zhunru.models import JurisdictionHomePage

    home = JurisdictionHomePage.objects.ancestor_of(page).select_related("jurisdiction").first()
    return home.jurisdiction.name if home else ""


def _policy_document(page) -> dict:
    department = page.department
    return {
        "title": page.title,
        "summary": page.summary,
        "text": page.body,
        "codes": [page.document_number] if page.document_number else [],
        "url": page_url(page),
        "date": page.issue_date or (page.first_published_at.date() if page.first_published_at else None),
        "category": page.get_kind_display(),
        "department": department.name if department else page.issuer,
        "region": department.jurisdiction.name if department else page_region(page),
    }


register(Source("policy", gettext_lazy("政策文件"), "zhunru_cms.PolicyPage", public_pages, _policy_document))


# --- cases and bulletins (zhunru.cases): public fields only, never the reporter or internal notes ------

NATIONAL_LABEL = gettext_lazy("国家发展改革委典型案例")
_NATIONAL_SOURCE = re.compile(r"国家发展|国家发改|^发改[^〔]{0,8}〔")


def _published_cases(model):
    """Cases in a live bulletin, and imported cases (``import_cases``): already published by the bulletin
    they came from (its reference and date are required on import), public documents of their own."""
    imported = model.objects.registered().exclude(import_key="").filter(published_on__isnull=False)
    return model.objects.filter(
        models.Q(pk__in=model.objects.published().values("pk")) | models.Q(pk__in=imported.values("pk"))
    ).select_related("jurisdiction")


def is_national(case) -> bool:
    """An imported case from the NDRC's bulletins (国家发展改革委, a 发改…〔year〕 document number)."""
    return bool(case.import_key and _NATIONAL_SOURCE.search(case.bulletin_reference or ""))


def _case_bulletin(case):
    link = (case.bulletin_links.filter(page__live=True).select_related("page")
            .order_by("-page__issue_date", "page_id").first())
    return link.page.specific if link else None


def _case_document(case) -> dict:
    bulletin = _case_bulletin(case)
    doc = {}
    summary = case.summary
    if case.import_key and bulletin is None:  # published elsewhere: say where and when
        origin = _("国家发展改革委") if is_national(case) else ""
        reference = "".join(filter(None, [origin if origin not in (case.bulletin_reference or "") else "",
                                          case.bulletin_reference]))
        summary = "；".join(filter(None, [_("来源：{reference}").format(reference=reference) if reference else "",
                                         _("通报日期：{format_date}").format(format_date=format_date(case.published_on))])) + "。" + (summary or "")
        if is_national(case):
            doc["type_label"] = str(NATIONAL_LABEL)  # indexed as text
    return {
        **doc,
        "title": case.title,
        "summary": summary,
        "text": "\n".join(filter(None, [
            case.organization, case.document_name, case.document_number, case.violated_clause,
            case.handling_result, case.keywords, case.get_subcategory_display() if case.subcategory else "",
        ])),
        "codes": [c for c in (case.register_number, case.document_number) if c],
        "url": f"{page_url(bulletin)}#case-{case.pk}" if bulletin else "",
        "date": case.published_on or (bulletin.issue_date if bulletin else None) or case.facts_date,
        "category": case.get_category_display(),
        "department": case.organization,
        "region": case.region or case.jurisdiction.name,
    }


def _bulletin_document(page) -> dict:
    cases = [link.case for link in page.bulletin_cases.select_related("case")]
    return {
        "title": page.title,
        "summary": page.intro,
        "text": "\n".join([page.closing] + [f"{c.title} {c.summary}" for c in cases]),
        "codes": [page.document_number] if page.document_number else [],
        "url": page_url(page),
        "date": page.issue_date,
        "category": _("典型案例通报"),
        "department": page.issuing_office,
        "region": page_region(page),
    }


def _bulletin_cases(page) -> list[tuple[str, object]]:
    return [("case", pk) for pk in page.bulletin_cases.values_list("case_id", flat=True)]


register(Source("case", gettext_lazy("典型案例"), "zhunru_cases.Case", _published_cases, _case_document))
register(Source("bulletin", gettext_lazy("案例通报"), "zhunru_cases.BulletinPage", public_pages, _bulletin_document,
                dependents=_bulletin_cases))


# --- the negative list and service items (zhunru.catalog) ---------------------------------------------
# List items: the active edition only (ListItem.objects.public()); an earlier edition is public history
# in the portal's browser but not searched, so a code finds one item. Service items: published ones,
# suspended (停止受理) included, with the bodies of their published guides and model texts.

def _public_list_items(model):
    return model.objects.public().select_related("edition").prefetch_related("measures")


def _list_item_document(item) -> dict:
    measures = list(item.measures.all())
    return {
        "title": f"{item.code} {item.name}",
        "summary": f"{item.edition.name} · {item.get_kind_display()}",
        "text": "\n".join([m.text for m in measures] + sorted({m.legal_basis for m in measures if m.legal_basis})),
        "codes": [item.code],
        "url": item.get_absolute_url(),
        "date": item.edition.effective_date,
        "category": item.get_kind_display(),
        "department": " ".join(item.departments.split()),  # the competent departments, as the list names them
        "region": "",
    }


def _public_service_items(model):
    return model.objects.public().select_related("department__jurisdiction")


def _service_item_document(service) -> dict:
    documents = list(service.documents.filter(published=True).order_by("kind", "-version"))
    latest = {}
    for doc in documents:
        latest.setdefault(doc.kind, doc)  # the newest published version of each kind
    codes = (service.list_items.filter(edition__is_active=True).order_by("code").values_list("code", flat=True))
    dates = [d.effective_date for d in latest.values()]
    return {
        "title": service.name,
        "summary": f"{service.department.name} · {service.get_status_display()}"
                   + (_(" · 办理时限：{time_limit}").format(time_limit=service.time_limit) if service.time_limit else ""),
        "text": "\n".join(filter(None, [
            service.authority, service.process, service.materials, service.conditions, service.fees,
            service.channel, *(d.body for d in latest.values()),
        ])),
        "codes": list(codes),
        "url": service.get_absolute_url(),
        "date": max(dates) if dates else service.updated_at.date(),
        "category": "",
        "department": service.department.name,
        "region": service.department.jurisdiction.name,
    }


register(Source("list_item", gettext_lazy("清单事项"), "zhunru_catalog.ListItem", _public_list_items, _list_item_document))
register(Source("service_item", gettext_lazy("政务服务事项"), "zhunru_catalog.ServiceItem", _public_service_items,
                _service_item_document))


# --- objects whose saving or deleting changes other sources' documents -----------------------------

@dataclass(frozen=True)
class Dependency:
    """A model that is not a source but whose changes alter documents of sources: ``affected(obj)``."""

    model: str
    affected: Callable[[models.Model], list[tuple[str, object]]]

    def model_class(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None


DEPENDENCIES: dict[str, Dependency] = {}


def register_dependency(dependency: Dependency) -> Dependency:
    DEPENDENCIES[dependency.model.lower()] = dependency
    return dependency


def available_dependencies() -> list[Dependency]:
    return [d for d in DEPENDENCIES.values() if d.model_class() is not None]


def dependency_for_model(model: type[models.Model]) -> Dependency | None:
    return DEPENDENCIES.get(model._meta.label.lower())


def _edition_affected(edition) -> list[tuple[str, object]]:
    """Activating an edition (or changing it) makes its items public or not, and changes service items' codes."""
    from zhunru.catalog.models import ServiceItem

    items = [("list_item", pk) for pk in edition.items.values_list("pk", flat=True)]
    services = ServiceItem.objects.filter(list_items__edition=edition).values_list("pk", flat=True).distinct()
    return items + [("service_item", pk) for pk in services]


register_dependency(Dependency("zhunru_catalog.ListEdition", _edition_affected))
register_dependency(Dependency(  # a service item's document carries the codes of its list items
    "zhunru_catalog.ListItem", lambda i: [("service_item", pk) for pk in i.service_items.values_list("pk", flat=True)]))
register_dependency(Dependency("zhunru_catalog.ListMeasure", lambda m: [("list_item", m.item_id)]))
register_dependency(Dependency("zhunru_catalog.ServiceDocumentVersion",
                               lambda d: [("service_item", d.service_item_id)]))
register_dependency(Dependency(
    "zhunru_cms.Department",
    lambda d: [("service_item", pk) for pk in d.service_items.values_list("pk", flat=True)]
    if hasattr(d, "service_items") else [],
))
