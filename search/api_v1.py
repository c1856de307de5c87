"""``GET /api/v1/search/``: full-text search over public content (policies, cases, bulletins, items)."""

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status

from zhunru.search.query import SearchQueryError, SearchUnavailable, search

log = logging.getLogger(__name__)

prefix = "search/"
router = Router(tags=[gettext_lazy("全文检索")])


class HitOut(Schema):
    id: str
    type: str
    type_label: str
    title: str
    url: str
    date: str | None
    department: str
    region: str
    category: str
    score: float
    highlights: list[str]


class SearchOut(Schema):
    total: int
    total_relation: str
    total_display: str
    facets_sampled: bool
    page: int
    per_page: int
    message: str
    hits: list[HitOut]
    facets: dict[str, dict[str, int]]


class ErrorOut(Schema):
    detail: str


@router.get("/", response={200: SearchOut, 400: ErrorOut, 503: ErrorOut}, summary="全文检索")
def search_view(
    request,
    q: str = "",
    type: str = "",  # noqa: A002
    category: str = "",
    year: str = "",
    department: str = "",
    region: str = "",
    page: str = "1",
    per_page: str = "10",
):
    """检索公开内容；返回命中总数、带高亮片段的结果（链接为绝对地址）和分面计数。检索词为空时按日期列出最新内容。

    命中总数在 10000 条以内为精确值；超过时 total 为 10000、total_relation 为 "gte"、total_display 为 "10000+"。
    命中较多时分面计数按命中结果的固定抽样估算（facets_sampled 为 true）。"""
    try:
        result = search(q, type=type or None, category=category or None, year=year or None,
                        department=department or None, region=region or None, page=page, per_page=per_page)
    except SearchQueryError as exc:
        return Status(400, {"detail": str(exc)})
    except SearchUnavailable:
        log.warning("检索服务不可用", exc_info=True)
        return Status(503, {"detail": _("检索服务暂时不可用，请稍后再试。")})
    data = result.as_dict()
    for hit in data["hits"]:  # links that work from anywhere: absolute, on the host the request came to
        if hit["url"].startswith("/"):
            hit["url"] = request.build_absolute_uri(hit["url"])
    return Status(200, data)
