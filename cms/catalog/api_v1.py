"""Public JSON API of the negative list and service items (/api/v1/catalog/): published data only.

Lists are paginated (``page``, ``page_size``) and filterable; every read carries an ``ETag`` over its
body (set by ``zhunru.api``), and the catalog reads a ``Last-Modified`` from ``CatalogRevision``, which every
change to what they serve moves (removals, unpublishing and withdrawn guides included). Rating
statistics change with every rating and carry the ETag only. The two POST endpoints (rating, screening)
are rate-limited per client.
"""

import datetime

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhunru.api import BoundedPageNumberPagination, error_body, post_throttle
from zhunru.catalog.models import (
    CatalogRevision,
    ListEdition,
    ListItem,
    ServiceDocumentVersion,
    ServiceItem,
    ServiceRating,
)
from zhunru.catalog.ratings import IdempotencyKeyReused, RatingError, statistics, submit_rating
from zhunru.catalog.screening import screen_text

prefix = "catalog/"
router = Router(tags=[gettext_lazy("负面清单与政务服务事项")])

SCREEN_MAX_CHARS = 200_000


class ErrorOut(Schema):
    code: str
    message: str
    detail: str


class EditionOut(Schema):
    name: str
    is_active: bool
    effective_date: datetime.date | None
    activated_at: datetime.datetime | None


class MeasureOut(Schema):
    position: int
    text: str
    scope: str = Field(..., description=gettext_lazy("national 全国性 / local 地方性"))
    legal_basis: str


class ItemOut(Schema):
    edition: str
    number: int
    code: str
    kind: str
    kind_label: str
    name: str
    departments: str
    local: bool
    measures: list[MeasureOut]
    url: str

    @staticmethod
    def resolve_edition(obj):
        return obj.edition.name

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_measures(obj):
        return list(obj.measures.all())

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class DocumentOut(Schema):
    kind: str
    kind_label: str
    version: int
    effective_date: datetime.date
    change_note: str
    body: str
    download_url: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_download_url(obj):
        return obj.get_download_url()


class ServiceOut(Schema):
    id: int
    name: str
    department: str
    jurisdiction: str
    authority: str
    process: str
    materials: str
    conditions: str
    time_limit: str
    fees: str
    channel: str
    status: str
    status_label: str
    list_items: list[str]
    documents: list[DocumentOut]
    url: str

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_jurisdiction(obj):
        return obj.department.jurisdiction.division_code

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_list_items(obj):
        return [i.code for i in obj.list_items.all() if i.edition.is_active]

    @staticmethod
    def resolve_documents(obj):
        return [d for d in obj.documents.all() if d.published]

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class RatingIn(Schema):
    level: int = Field(..., ge=1, le=5, title=gettext_lazy("评价等级"), description=gettext_lazy("5 非常满意 … 1 非常不满意"))
    channel: str = Field("portal", title=gettext_lazy("评价渠道"), description="portal / hall / phone")
    comment: str = Field("", max_length=2000, title=gettext_lazy("评价内容"))
    receipt_code: str = Field("", max_length=64, title=gettext_lazy("办件回执码"))
    idempotency_key: str | None = Field(
        None, max_length=64, title=gettext_lazy("幂等键"), description=gettext_lazy("同一键重复提交只记一次；不得用于其他事项")
    )


class RatingOut(Schema):
    id: int
    level: int
    follow_up: bool


class ScreenIn(Schema):
    text: str = Field(..., max_length=SCREEN_MAX_CHARS, title=gettext_lazy("待筛查文本"))
    jurisdiction: str = Field("", max_length=6, title=gettext_lazy("辖区行政区划代码"),
                              description=gettext_lazy("给出时同时使用该辖区自己的筛查规则；不给只用全国通用规则。"))


class MatchOut(Schema):
    phrase: str
    category: str = Field(..., description="entry_conditions / discriminatory / unfair_competition")
    category_label: str
    explanation: str
    basis: str
    start: int
    end: int
    excerpt: str


def _last_modified(response: HttpResponse) -> None:
    """``Last-Modified`` to the second of the catalog's last change; none while that second is running,
    since a second change within it would not move the header (the ETag still validates)."""
    changed = int(CatalogRevision.last_changed().timestamp())
    if changed < int(timezone.now().timestamp()):
        response["Last-Modified"] = http_date(changed)


def _public_items() -> QuerySet:
    return ListItem.objects.public().select_related("edition").prefetch_related("measures")


def _public_services() -> QuerySet:
    return (
        ServiceItem.objects.public()
        .select_related("department__jurisdiction")
        .prefetch_related("list_items__edition", "documents")
    )


@router.get("/editions/", response=list[EditionOut], summary="现行负面清单版本")
def editions(request, response: HttpResponse):
    _last_modified(response)
    return ListEdition.objects.filter(is_active=True)


@router.get("/items/", response=list[ItemOut], summary="现行版本的清单事项")
@paginate(BoundedPageNumberPagination, page_size=50, max_page_size=200)
def items(
    request,
    response: HttpResponse,
    kind: str = Query("", title=gettext_lazy("事项类别"), description=gettext_lazy("prohibited 禁止准入类 / permitted 许可准入类")),
    department: str = Query("", title=gettext_lazy("主管部门"), description=gettext_lazy("主管部门（包含匹配）")),
    q: str = Query("", max_length=100, title=gettext_lazy("关键词"), description=gettext_lazy("事项名称、编码或措施描述（包含匹配）")),
):
    qs = _public_items()
    if kind:
        qs = qs.filter(kind=kind)
    if department:
        qs = qs.filter(departments__contains=department)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code=q) | Q(measures__text__contains=q)).distinct()
    _last_modified(response)
    return qs


@router.get("/items/{code}/", response=ItemOut, summary="清单事项详情")
def item(request, response: HttpResponse, code: str = Path(..., title=gettext_lazy("事项编码"))):
    _last_modified(response)
    return get_object_or_404(_public_items(), code=code)


@router.get("/services/", response=list[ServiceOut], summary="已发布的政务服务事项（含办事指南）")
@paginate(BoundedPageNumberPagination, page_size=50, max_page_size=200)
def services(
    request,
    response: HttpResponse,
    jurisdiction: str = Query("", title=gettext_lazy("行政区划代码"), description=gettext_lazy("行政区划代码")),
    department: str = Query("", title=gettext_lazy("部门名称"), description=gettext_lazy("部门名称（包含匹配）")),
    item: str = Query("", title=gettext_lazy("清单事项编码"), description=gettext_lazy("关联的清单事项编码")),
    status: str = Query("", title=gettext_lazy("受理状态"), description=gettext_lazy("accepting 受理中 / suspended 停止受理")),
):
    qs = _public_services()
    if jurisdiction:
        qs = qs.filter(department__jurisdiction__division_code=jurisdiction)
    if department:
        qs = qs.filter(department__name__contains=department)
    if item:
        qs = qs.filter(list_items__code=item, list_items__edition__is_active=True).distinct()
    if status:
        qs = qs.filter(status=status)
    _last_modified(response)
    return qs


@router.get("/services/{pk}/", response=ServiceOut, summary="政务服务事项详情")
def service(request, response: HttpResponse, pk: int = Path(..., title=gettext_lazy("事项编号"))):
    _last_modified(response)
    return get_object_or_404(_public_services(), pk=pk)


@router.get("/services/{pk}/documents/", response=list[DocumentOut], summary="办事指南与示范文本的已发布版本")
def service_documents(request, response: HttpResponse, pk: int = Path(..., title=gettext_lazy("事项编号"))):
    _last_modified(response)
    obj = get_object_or_404(ServiceItem.objects.public(), pk=pk)
    return ServiceDocumentVersion.objects.filter(service_item=obj, published=True)


@router.post(
    "/services/{pk}/ratings/",
    response={201: RatingOut, 200: RatingOut, 400: ErrorOut, 409: ErrorOut},
    throttle=post_throttle("rating"),
    summary=gettext_lazy("好差评（匿名或附办件回执码）"),
    description=gettext_lazy("重复提交同一幂等键返回原评价（200）；幂等键已用于其他事项时返回 409。"),
)
def rate(request, payload: RatingIn, pk: int = Path(..., title=gettext_lazy("事项编号"))):
    s = get_object_or_404(ServiceItem.objects.public(), pk=pk)
    key = payload.idempotency_key or None
    repeated = bool(key) and ServiceRating.objects.filter(idempotency_key=key).exists()
    try:
        r = submit_rating(s, payload.level, payload.channel, payload.comment, payload.receipt_code, key)
    except IdempotencyKeyReused as exc:
        return Status(409, error_body(409, str(exc), code="idempotency_key_reused"))
    except RatingError as exc:
        return Status(400, error_body(400, str(exc), code="invalid_rating"))
    return Status(200 if repeated else 201, {"id": r.pk, "level": r.level, "follow_up": hasattr(r, "follow_up")})


@router.get("/services/{pk}/statistics/", summary="好差评统计")
def service_statistics(request, pk: int = Path(..., title=gettext_lazy("事项编号"))):
    s = get_object_or_404(ServiceItem.objects.public(), pk=pk)
    return statistics(s.ratings.all())


@router.post("/screen/", response={200: list[MatchOut], 404: ErrorOut}, throttle=post_throttle("screen"),
             summary=gettext_lazy("隐性壁垒筛查"))
def screen(request, payload: ScreenIn):
    from zhunru.models import Jurisdiction

    jurisdictions = []
    if payload.jurisdiction:
        jurisdictions = list(Jurisdiction.objects.filter(division_code=payload.jurisdiction).values_list("pk", flat=True))
        if not jurisdictions:
            return Status(404, error_body(404, _("没有这个辖区。"), code="unknown_jurisdiction"))
    return [
        {
            "phrase": m.rule.phrase,
            "category": m.rule.category,
            "category_label": m.rule.get_category_display(),
            "explanation": m.rule.explanation,
            "basis": m.rule.basis,
            "start": m.start,
            "end": m.end,
            "excerpt": m.excerpt,
        }
        for m in screen_text(payload.text, jurisdictions=jurisdictions)
    ]
