"""Public JSON API of the negative list and service items (/api/v1/catalog/): published data only."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cms.catalog.models import ListEdition, ListItem, ServiceItem
from cms.catalog.ratings import RatingError, statistics, submit_rating
from cms.catalog.screening import screen_text

prefix = "catalog/"
router = Router(tags=["负面清单与政务服务事项"])


class EditionOut(Schema):
    name: str
    is_active: bool
    activated_at: datetime.datetime | None


class ItemOut(Schema):
    number: int
    code: str
    kind: str
    name: str
    departments: str
    local: bool
    measures: list[str]
    url: str


class DocumentOut(Schema):
    kind: str
    version: int
    effective_date: datetime.date
    change_note: str
    body: str


class ServiceOut(Schema):
    id: int
    name: str
    department: str
    authority: str
    process: str
    materials: str
    time_limit: str
    fees: str
    channel: str
    status: str
    list_items: list[str]
    documents: list[DocumentOut]
    url: str


class RatingIn(Schema):
    level: int
    channel: str
    comment: str = ""
    receipt_code: str = ""
    idempotency_key: str | None = None


class RatingOut(Schema):
    id: int
    level: int
    follow_up: bool


class ScreenIn(Schema):
    text: str


class MatchOut(Schema):
    phrase: str
    category: str
    explanation: str
    start: int
    end: int
    excerpt: str


def _item(i: ListItem) -> dict:
    return {
        "number": i.number,
        "code": i.code,
        "kind": i.kind,
        "name": i.name,
        "departments": i.departments,
        "local": i.local,
        "measures": i.measure_texts(),
        "url": i.get_absolute_url(),
    }


def _service(s: ServiceItem) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "department": s.department.name,
        "authority": s.authority,
        "process": s.process,
        "materials": s.materials,
        "time_limit": s.time_limit,
        "fees": s.fees,
        "channel": s.channel,
        "status": s.get_status_display(),
        "list_items": [i.code for i in s.list_items.all() if i.edition.is_active],
        "documents": [d for d in s.documents.all() if d.published],
        "url": s.get_absolute_url(),
    }


@router.get("/editions/", response=list[EditionOut])
def editions(request):
    return ListEdition.objects.filter(is_active=True)


@router.get("/items/", response=list[ItemOut])
def items(request):
    return [
        _item(i) for i in ListItem.objects.public().select_related("edition").prefetch_related("measures")
    ]


@router.get("/items/{code}/", response=ItemOut)
def item(request, code: str):
    return _item(get_object_or_404(ListItem.objects.public(), code=code))


@router.get("/services/", response=list[ServiceOut])
def services(request):
    qs = (
        ServiceItem.objects.public()
        .select_related("department")
        .prefetch_related("list_items__edition", "documents")
    )
    return [_service(s) for s in qs]


@router.get("/services/{pk}/", response=ServiceOut)
def service(request, pk: int):
    return _service(get_object_or_404(ServiceItem.objects.public(), pk=pk))


@router.post("/services/{pk}/ratings/", response={201: RatingOut, 400: dict})
def rate(request, pk: int, payload: RatingIn):
    s = get_object_or_404(ServiceItem.objects.public(), pk=pk)
    try:
        r = submit_rating(
            s, payload.level, payload.channel, payload.comment, payload.receipt_code, payload.idempotency_key
        )
    except RatingError as exc:
        return 400, {"detail": str(exc)}
    return 201, {"id": r.pk, "level": r.level, "follow_up": hasattr(r, "follow_up")}


@router.get("/services/{pk}/statistics/")
def service_statistics(request, pk: int):
    s = get_object_or_404(ServiceItem.objects.public(), pk=pk)
    return statistics(s.ratings.all())


@router.post("/screen/", response=list[MatchOut])
def screen(request, payload: ScreenIn):
    return [
        {
            "phrase": m.rule.phrase,
            "category": m.rule.get_category_display(),
            "explanation": m.rule.explanation,
            "start": m.start,
            "end": m.end,
            "excerpt": m.excerpt,
        }
        for m in screen_text(payload.text[:200000])
    ]
