"""Bounds on what a request may carry, checked once before any view runs (issue 23, item 4).

``InputBoundsMiddleware`` answers 400 with a Chinese message, on the plugin's URLs and the Wagtail admin
(``zhunru.mounts``), when

- a pagination parameter (``page``, ``page_size``, ``per_page``, ``limit``, ``offset``) is not an integer
  in its range (a negative offset, a page number of twenty digits, "abc"), except under /api/v1/, whose
  schemas bound their own parameters (``zhunru.api.BoundedPageNumberPagination``, ``Query(ge=…, le=…)``)
  and answer the API's 422 naming the parameter in Chinese;
- a query-string value is longer than ``MAX_PARAM_LENGTH`` characters (a search query, ``q``, is not
  refused: it is cut to ``MAX_QUERY_LENGTH`` characters and the search says so, issue 21);
- a query-string value or a form field contains a NUL character or a lone UTF-16 surrogate (which the
  database and the audit hash cannot store);
- a form body is not valid text in its charset (UTF-8 unless declared): Django would decode it with
  replacement characters and store "\ufffd" where the bytes were. A URL-encoded body is decoded strictly;
  a multipart text field, which Django decodes before anyone sees its bytes, is refused when it holds a
  replacement character (outside the Wagtail admin, whose editors may paste one on purpose).

Under /api/v1/ the answer is the API's JSON error (``zhunru.api.error_body``); Wagtail's API v2 gets its own
``{"message": …}`` shape; everything else a short HTML page. The JSON API checks its bodies itself
(``check_json_request``, called by ``zhunru.api``): a body that is not JSON is refused with 415, and strings
with NUL or surrogates, or nesting deeper than ``MAX_JSON_DEPTH``, with 400.
"""

import codecs
import json
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.mounts import is_admin_path, is_zhunru_path

# name: (label, smallest, largest)
PAGINATION = {
    "page": (gettext_lazy("页码"), 1, 100_000),
    "page_size": (gettext_lazy("每页条数"), 1, 1_000),
    "per_page": (gettext_lazy("每页条数"), 1, 1_000),
    "limit": (gettext_lazy("条数上限"), 1, 1_000),
    "offset": (gettext_lazy("偏移量"), 0, 10_000_000),
}
QUERY_PARAMS = ("q", "query")
MAX_QUERY_LENGTH = 200
MAX_PARAM_LENGTH = 2_000
MAX_JSON_DEPTH = 20
_INTEGER = re.compile(r"[0-9]{1,12}")
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPES = re.compile(r"^application/(?:[\w.+-]+\+)?json$", re.I)


class InputRejected(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (a NUL character, a lone surrogate), or None."""
    match = _FORBIDDEN.search(value)
    if match is None:
        return None
    return _("不能包含空字符（NUL）。") if match.group(0) == "\x00" else _("包含无效的字符（孤立的 UTF-16 代理项）。")


def check_text(value: str, label: str) -> None:
    problem = text_problem(value)
    if problem:
        raise InputRejected(f"{label}{problem}")


def check_query(params, *, pagination: bool = True) -> None:
    """Length and characters of a QueryDict (request.GET) and, unless ``pagination`` is False (the JSON
    API's schemas bound their own parameters, zhunru.api), its pagination parameters."""
    for name, values in params.lists():
        check_text(name, _("参数名"))
        for value in values:
            check_text(value, _("参数“{name}”").format(name=name))
            if name in QUERY_PARAMS:
                continue  # cut to length by ``bounded_query``, never refused
            if len(value) > MAX_PARAM_LENGTH:
                raise InputRejected(_("参数“{name}”过长，最多 {MAX_PARAM_LENGTH} 个字符。").format(name=name, MAX_PARAM_LENGTH=MAX_PARAM_LENGTH))
            if pagination and name in PAGINATION and value.strip() != "":
                label, low, high = PAGINATION[name]
                text = value.strip()
                if not _INTEGER.fullmatch(text) or not low <= int(text) <= high:
                    raise InputRejected(_("参数“{name}”（{label}）应为 {low} 至 {high} 之间的整数。").format(name=name, label=label, low=low, high=high))


def bounded_query(params):
    """``params`` (request.GET) with every search query cut to ``MAX_QUERY_LENGTH`` characters, or ``params``
    itself when none is longer. A citizen who pastes a whole letter still gets results (the search notes the
    cut, zhunru.search.query), and no view or engine ever sees an unbounded query."""
    if not any(len(value) > MAX_QUERY_LENGTH for name in QUERY_PARAMS for value in params.getlist(name)):
        return params
    bounded = params.copy()
    for name in QUERY_PARAMS:
        if name in bounded:
            bounded.setlist(name, [value[:MAX_QUERY_LENGTH] for value in bounded.getlist(name)])
    bounded._mutable = False
    return bounded


def check_form(params, *, replacement: bool = False) -> None:
    """Characters of a QueryDict of form fields (request.POST; uploaded files are not in it); with
    ``replacement``, a U+FFFD (what Django puts where a multipart field's bytes were not valid text) too."""
    for name, values in params.lists():
        check_text(name, _("表单字段名"))
        for value in values:
            check_text(value, _("表单字段“{name}”").format(name=name))
            if replacement and "\ufffd" in value:
                raise InputRejected(_("表单字段“{name}”含有无法识别的字符（U+FFFD），可能不是有效的 UTF-8 文本，请删除后重新提交。").format(name=name))


def check_form_encoding(request) -> None:
    """A URL-encoded body decodes strictly in its charset (UTF-8 unless the request declares another)."""
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        codecs.lookup(encoding)
    except LookupError:
        return  # Django refuses an unknown charset itself
    try:
        unquote_to_bytes(request.body.replace(b"+", b" ")).decode(encoding)
    except UnicodeDecodeError:
        raise InputRejected(_("表单内容不是有效的 {encoding} 文本，请检查后重新提交。").format(encoding=encoding.upper())) from None


def _walk_json(data) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InputRejected(_("请求体嵌套层级过深（最多 {MAX_JSON_DEPTH} 层）。").format(MAX_JSON_DEPTH=MAX_JSON_DEPTH))
        if isinstance(value, str):
            check_text(value, _("请求体中的文本"))
        elif isinstance(value, dict):
            for key, item in value.items():
                check_text(key, _("请求体中的字段名"))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def check_json_request(request) -> None:
    """For an API operation that takes a JSON body: a body must be declared JSON (else 415), parse, and
    hold only storable text within the nesting bound (else 400). A request without a body passes (the
    operation's own validation names the missing body)."""
    content_type = request.content_type or ""
    if not JSON_TYPES.match(content_type):
        if not content_type and request.META.get("CONTENT_LENGTH", "") in ("", "0"):
            return
        raise InputRejected(_("请求内容类型应为 application/json（收到：{value}）。").format(value=content_type or _('未声明')), status=415)
    body = request.body
    if not body:
        return
    try:
        text = body.decode(request.encoding or "utf-8")
    except UnicodeDecodeError:
        raise InputRejected(_("请求体不是有效的 UTF-8 文本。")) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputRejected(_("请求体嵌套层级过深（最多 {MAX_JSON_DEPTH} 层）。").format(MAX_JSON_DEPTH=MAX_JSON_DEPTH)) from None
    except ValueError:
        raise InputRejected(_("请求体不是有效的 JSON。")) from None
    _walk_json(data)


def _api_kind(request) -> str:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return "html"
    namespaces = match.namespaces
    if "zhunru_api" in namespaces:
        return "ninja"
    if "wagtailapi" in namespaces:
        return "wagtail"
    return "html"


def rejection_response(request, error: InputRejected, kind: str | None = None) -> HttpResponse:
    kind = kind or _api_kind(request)
    if kind == "ninja":
        from zhunru.api import error_body

        return JsonResponse(error_body(error.status, error.message), status=error.status,
                            json_dumps_params={"ensure_ascii": False})
    if kind == "wagtail":
        return JsonResponse({"message": error.message}, status=error.status, json_dumps_params={"ensure_ascii": False})
    title = _("请求有误") if error.status == 400 else _("不支持的请求内容")
    page = (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{escape(error.message)}</p></body></html>"
    )
    return HttpResponse(page, status=error.status, content_type="text/html; charset=utf-8")


class InputBoundsMiddleware:
    """Refuses out-of-bounds query strings and form fields before any view (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_zhunru_path(request.path_info):
            try:
                kind = _api_kind(request)
                check_query(request.GET, pagination=kind != "ninja")
                request.GET = bounded_query(request.GET)
                if kind == "html" and request.method == "POST" and request.content_type in FORM_TYPES:
                    multipart = request.content_type == "multipart/form-data"
                    try:
                        if not multipart:
                            check_form_encoding(request)
                        form = request.POST
                    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
                        form = None  # Django answers these itself when the view reads the form
                    if form is not None:
                        check_form(form, replacement=multipart and not is_admin_path(request.path_info))
            except InputRejected as error:
                return rejection_response(request, error, kind)
        return self.get_response(request)
