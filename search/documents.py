"""What is indexed: a registry of sources, each a model, its public queryset and a ``to_document``.

Only public content is indexed (live pages without view restrictions, published cases, …), and a
``to_document`` copies public fields only: never complainant details or internal notes. Models of
other apps are imported lazily (``apps.get_model`` at call time), so a source whose app has no such
model yet is skipped, not an error.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.html import strip_tags

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    key: str  # the ``type`` of its documents and the prefix of their ids
    label: str  # shown as the hit's type
    model: str  # "app_label.ModelName"
    public_queryset: Callable[[type[models.Model]], models.QuerySet]
    to_document: Callable[[models.Model], dict]

    def model_class(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None

    def queryset(self) -> models.QuerySet | None:
        model = self.model_class()
        return None if model is None else self.public_queryset(model)

    def document(self, obj: models.Model) -> dict:
        doc = {"type": self.key, "type_label": self.label, **self.to_document(obj)}
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
    try:
        return page.get_url() or page.url_path
    except Exception:
        return page.url_path


def page_region(page) -> str:
    from cms.models import JurisdictionHomePage

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


register(Source("policy", "政策文件", "zhunru_cms.PolicyPage", public_pages, _policy_document))
