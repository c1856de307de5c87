"""The plain Python entry point for searching, shared by the API and the portal.

    from zhunru.search.query import search, SearchQueryError
    result = search("隐性壁垒", type="case", year=2024, page=1)
    result.total, result.hits[0].title, result.hits[0].highlights, result.facets["year"]
"""

import logging

from django.utils.translation import gettext as _

from zhunru.search import conf, synonyms
from zhunru.search.analysis import QueryPlan, minimum_should_match, normalize, plan_query, tokenize
from zhunru.search.backends import SearchRejected, SearchUnavailable, get_backend
from zhunru.search.backends.base import SearchResult

__all__ = ["search", "SearchQueryError", "SearchUnavailable", "SearchResult"]

log = logging.getLogger(__name__)


class SearchQueryError(ValueError):
    """The query cannot be run as given; the message is for the user (Chinese)."""


def plain_terms(q: str) -> QueryPlan:
    """The fallback plan of a query the service refused: its distinct tokens as a ranked OR (at most half
    of them, or a sentence's minimum, must match), without synonyms, codes or proximity pieces."""
    tokens = list(dict.fromkeys(tokenize(q)))[:32]
    plan = plan_query(" ".join(tokens))
    plan.optional, plan.phrases = plan.optional + [t for t in plan.terms if not t.code], []
    for term in plan.optional:
        term.forms, term.code = [term.raw], ""
    plan.terms = []
    # Refused queries are often full of syntax (AND, title:, ~2): half of the tokens is enough.
    plan.minimum_should_match = min(minimum_should_match(len(plan.optional)), max(1, len(plan.optional) // 2))
    plan.text = normalize(q)
    return plan


def search(
    q: str = "",
    *,
    type: str | list[str] | None = None,  # noqa: A002  (the public parameter name)
    category: str | None = None,
    year: int | str | None = None,
    department: str | None = None,
    region: str | None = None,
    page: int = 1,
    per_page: int = 10,
) -> SearchResult:
    """Search public content. An empty query lists the newest documents (filters still apply).

    An over-long query is cut to ``MAX_QUERY_LENGTH`` characters and the result's message says so.
    Raises :class:`SearchQueryError` for unusable input (bad year or page, a page
    beyond ``MAX_RESULT_WINDOW``, a query the service refuses) and :class:`SearchUnavailable` when
    the search service is down or refuses the request for another reason.
    """
    q = (q or "").replace("\x00", " ").strip()
    limit = int(conf.get("MAX_QUERY_LENGTH"))
    cut = len(q) > limit
    if cut:
        q = q[:limit].strip()
    try:
        page = int(page or 1)
    except (TypeError, ValueError):
        raise SearchQueryError(_("页码应为正整数。")) from None
    if page < 1 or page > 1000:
        raise SearchQueryError(_("页码应在 1 至 1000 之间。"))
    most = int(conf.get("MAX_PER_PAGE"))
    try:
        per_page = int(per_page if per_page not in (None, "") else 10)
    except (TypeError, ValueError):
        per_page = 0  # not a number: refused below, with the same message as one out of range
    if per_page < 1 or per_page > most:
        raise SearchQueryError(_("每页条数应为 1 至 {most} 之间的整数。").format(most=most))
    window = int(conf.get("MAX_RESULT_WINDOW"))
    if page * per_page > window:  # (page - 1) * per_page + per_page: Elasticsearch refuses more
        raise SearchQueryError(
            _("最多只能查看前 {window} 条结果（第 {page} 页、每页 {per_page} 条已超出），请增加检索词或使用筛选条件缩小范围。").format(window=window, page=page, per_page=per_page)
        )
    filters: dict = {}
    if year not in (None, ""):
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise SearchQueryError(_("年份应为四位数字，如 2024。"))
        if not 1949 <= year <= 2100:
            raise SearchQueryError(_("年份应为四位数字，如 2024。"))
        filters["year"] = year
    for name, value in (("type", type), ("category", category), ("department", department), ("region", region)):
        if value not in (None, "", []):
            filters[name] = value
    plan = plan_query(q, synonyms.groups())
    backend = get_backend()
    try:
        result = backend.search(plan, filters=filters, page=page, per_page=per_page)
    except SearchRejected as exc:
        if exc.status not in (400, 413):
            raise
        # The service cannot run this query (too many clauses, syntax it chokes on): once more as plain
        # terms (the query's words and bigrams, no synonyms, no proximity pieces), then the user can change it.
        log.warning("检索服务拒绝了检索（HTTP %s），改为按普通检索词重试", exc.status)
        plan = plain_terms(q)
        try:
            result = backend.search(plan, filters=filters, page=page, per_page=per_page)
        except SearchRejected as again:
            if again.status in (400, 413):
                raise SearchQueryError(
                    _("检索服务无法执行这一检索，请缩短检索词、减少筛选条件或查看靠前的结果页。")) from again
            raise
    if cut:
        result.message = _("检索词过长，已按前 {limit} 字检索；缩短检索词可获得更准确的结果。").format(limit=limit)
    elif q and plan.empty:
        result.message = _("检索词只包含标点或符号，已列出最新内容。")
    elif len(q) == 1:
        result.message = _("单字检索结果较多，输入两个及以上汉字可获得更准确的结果。")
    return result
