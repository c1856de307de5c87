"""Headless JSON API: Wagtail's API v2 for pages, and /api/v1/ for the domain, one router per app.

Every /api/v1/ response goes through ``ZhunruAPI.create_response``: reads (GET/HEAD, 200) carry a
strong ``ETag`` over the body and answer ``304`` to a matching ``If-None-Match`` (a view may add a
``Last-Modified`` only where every change to its body, removals included, moves it). Every error under
/api/v1/, including a wrong method and an unknown path, is a JSON object with a machine-readable ``code``
and a Chinese ``message`` (``detail`` is kept for older clients).
"""

import functools
import hashlib
import logging
import re
import typing

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
)
from django.urls import Resolver404, URLPattern, re_path, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError, ValidationErrorContext
from ninja.pagination import PageNumberPagination
from ninja.throttling import BaseThrottle
from pydantic import BaseModel
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from zhunru import throttling
from zhunru.input_bounds import InputRejected, check_json_request
from zhunru.page_scoping import SitePagesAPIViewSet, site_media_viewset
from zhunru.plugins import zhunru_app_modules
from zhunru.proxies import client_ip

log = logging.getLogger(__name__)

# Wagtail API v2's English errors (BadRequestError texts of wagtail.api.v2 filters, pagination, views and
# the fields parser), matched whole, each with its Chinese text; the groups (a field or parameter name the
# client sent, a limit) are kept.
WAGTAIL_ERRORS = [(re.compile(pattern), text) for pattern, text in [
    (r"unknown fields: (.+)", gettext_lazy("参数“fields”中有未知字段：{0}。")),
    (r"cannot order by '(.*)' \(unknown field\)", gettext_lazy("参数“order”有误：无法按“{0}”排序（未知字段）。")),
    (r"cannot order by '(.*)' \(invalid field\)", gettext_lazy("参数“order”有误：无法按“{0}”排序。")),
    (r"cannot order by '(.*)' while searching \(field is not indexed\)",
     gettext_lazy("检索时不能按“{0}”排序（该字段未编入索引）。")),
    (r"cannot filter by '(.*)' while searching \(field is not indexed\)",
     gettext_lazy("检索时不能按“{0}”筛选（该字段未编入索引）。")),
    (r"type doesn't exist", gettext_lazy("参数“type”所指的页面类型不存在，应为“应用.模型”形式，如 wagtailcore.Page。")),
    (r"(\w+) must be a positive integer", gettext_lazy("参数“{0}”应为正整数。")),
    (r"limit cannot be higher than (\d+)", gettext_lazy("参数“limit”不能大于 {0}。")),
    (r"parent page doesn't exist", gettext_lazy("参数“child_of”所指的页面不存在。")),
    (r"ancestor page doesn't exist", gettext_lazy("参数“descendant_of”所指的页面不存在。")),
    (r"descendant page doesn't exist", gettext_lazy("参数“ancestor_of”所指的页面不存在。")),
    (r"translation_of page doesn't exist", gettext_lazy("参数“translation_of”所指的页面不存在。")),
    (r"query parameter is not an operation or a recognised field: (.+)", gettext_lazy("不支持的查询参数：{0}。")),
    (r"'(.*)' does not support nested fields", gettext_lazy("字段“{0}”不支持嵌套字段。")),
    (r"random ordering cannot be combined with other fields", gettext_lazy("随机排序（order=random）不能与其他排序字段同时使用。")),
    (r"random ordering with offset is not supported", gettext_lazy("随机排序（order=random）不能与参数“offset”同时使用。")),
    (r"search is disabled", gettext_lazy("检索功能未启用。")),
    (r"filtering by tag with a search query is not supported", gettext_lazy("检索时不能同时按标签筛选。")),
    (r"filtering by descendant_of with child_of is not supported",
     gettext_lazy("参数“descendant_of”与“child_of”不能同时使用。")),
    (r"field filter error\. '(.*)' is not a valid value for (\w+) \(.*\)",
     gettext_lazy("筛选条件有误：“{0}”不是字段“{1}”的有效值。")),
    (r"field filter error\. null characters are not allowed for (\w+)", gettext_lazy("筛选条件有误：字段“{0}”不能包含空字符。")),
    (r"fields error: additional fields with '\*' doesn't make sense",
     gettext_lazy("参数“fields”有误：“*”已包含全部字段，不能再列出其他字段。")),
    (r"fields error: negated fields with '_' doesn't make sense",
     gettext_lazy("参数“fields”有误：“_”已排除全部字段，不能再排除其他字段。")),
    (r"fields error: '(.*)' cannot be negated", gettext_lazy("参数“fields”有误：“{0}”不能排除。")),
    (r"fields error: '(.*)' must be in the first position", gettext_lazy("参数“fields”有误：“{0}”只能放在最前面。")),
    (r"fields error: unexpected char '(.*)' at position (\d+)", gettext_lazy("参数“fields”有误：第 {1} 个字符“{0}”不应出现在此处。")),
    (r"fields error: unexpected whitespace at position (\d+)", gettext_lazy("参数“fields”有误：第 {0} 个字符不应为空格。")),
    (r"fields error: unexpected end of input.*", gettext_lazy("参数“fields”有误：括号未闭合。")),
]]


def is_chinese(text: str) -> bool:
    """Whether ``text`` holds a CJK ideograph: a message of ours (kept) rather than a library's English one."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def wagtail_error_message(message: str) -> str:
    """The Chinese text of a Wagtail API v2 error message (ours are Chinese already and kept)."""
    if is_chinese(message):
        return message
    for pattern, text in WAGTAIL_ERRORS:
        match = pattern.fullmatch(message)
        if match is not None:
            return str(text).format(*match.groups())
    if message.startswith("fields error:"):
        return _("参数“fields”格式有误。")
    return _("请求参数有误。")


class ChineseErrorsMixin:
    """Wagtail API v2 endpoint whose 400 and 404 answers say in Chinese what is wrong; the answer keeps
    Wagtail's shape, ``{"message": …}``."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, Http404):
            response.data = {"message": str(ERROR_CODES[404][1])}
        elif response.status_code == 400 and isinstance(getattr(response, "data", None), dict):
            message = response.data.get("message")
            if isinstance(message, str):
                response.data = {**response.data, "message": wagtail_error_message(message)}
        return response


def chinese_errors(endpoint):
    return type(endpoint.__name__, (ChineseErrorsMixin, endpoint), {"__module__": endpoint.__module__})


# Each Site's API lists its own pages and media only (issue 19): a jurisdiction's host never lists another's.
wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", chinese_errors(SitePagesAPIViewSet))
wagtail_api.register_endpoint("images", chinese_errors(site_media_viewset(ImagesAPIViewSet)))
wagtail_api.register_endpoint("documents", chinese_errors(site_media_viewset(DocumentsAPIViewSet)))

ERROR_CODES = {
    400: ("bad_request", gettext_lazy("请求有误。")),
    401: ("unauthenticated", gettext_lazy("请先登录。")),
    403: ("forbidden", gettext_lazy("无权访问。")),
    404: ("not_found", gettext_lazy("请求的内容不存在或尚未公开。")),
    405: ("method_not_allowed", gettext_lazy("不支持该请求方法。")),
    409: ("conflict", gettext_lazy("请求与现有数据冲突。")),
    413: ("too_large", gettext_lazy("请求内容过大。")),
    415: ("unsupported_media_type", gettext_lazy("请求内容类型应为 application/json。")),
    422: ("invalid", gettext_lazy("请求参数有误。")),
    429: ("throttled", gettext_lazy("请求过于频繁，请稍后再试。")),
    500: ("server_error", gettext_lazy("服务器内部错误，请稍后再试。")),
    503: ("unavailable", gettext_lazy("服务暂时不可用，请稍后再试。")),
}


def error_body(status: int, message: str | None = None, code: str | None = None, **extra) -> dict:
    default_code, default_message = ERROR_CODES.get(status, ("error", _("请求失败。")))
    message = str(message or default_message)  # the defaults are lazy translations: plain JSON takes str only
    return {"code": code or default_code, "message": message, "detail": message, **extra}


DEFAULT_POST_RATES = {"default": "30/m", "rating": "10/m", "screen": "30/m"}


class ClientRateThrottle(BaseThrottle):
    """Requests per client address and scope, signed-in or not, in a sliding window (``zhunru.throttling``:
    fails open to a per-process count when the cache is down); the rate is read from settings per request
    (``ZHUNRU_API_POST_RATES``), the address is stored only as a hash.

    The address is ``client_ip``, as for the portal's limits and login throttling: REMOTE_ADDR unless a
    proxy listed in ``ZHUNRU_TRUSTED_PROXIES`` says otherwise, never a raw X-Forwarded-For a client can vary.
    ``ZHUNRU_API_THROTTLE_NAMESPACE`` is part of the keys (tests give each test its own).
    """

    def __init__(self, scope: str):
        self.scope = scope
        self.rate = None
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        rates = {**DEFAULT_POST_RATES, **getattr(settings, "ZHUNRU_API_POST_RATES", {})}
        self.rate = rates.get(self.scope) or rates["default"]
        limit, window = throttling.parse_rate(self.rate)
        verdict = throttling.hit(self.get_cache_key(request), limit, window)
        self._wait = verdict.retry_after if not verdict else None
        return verdict.allowed

    def wait(self) -> float | None:
        return self._wait

    def get_ident(self, request: HttpRequest) -> str:
        return client_ip(request) or "unknown"

    def get_cache_key(self, request: HttpRequest) -> str:
        namespace = getattr(settings, "ZHUNRU_API_THROTTLE_NAMESPACE", "v1")
        return throttling.client_key(f"api:{self.scope}", self.get_ident(request), namespace)


def post_throttle(scope: str = "default") -> list:
    """Per-client rate limit for anonymous-capable POST endpoints."""
    return [ClientRateThrottle(scope)]


# Labels of common parameters that no schema of ours declares (ninja's pagination input).
FIELD_LABELS = {"page": gettext_lazy("页码"), "page_size": gettext_lazy("每页条数")}
# Bounds of pagination parameters: a 64-bit offset overflows SQLite ("datatype mismatch") and PostgreSQL.
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with an upper bound on the page number (and page size), so
    ``page=99999999999999999999`` is a 422 with a Chinese message, not a database error."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, title=gettext_lazy("页码"))
        page_size: int | None = Field(None, ge=1, le=1000, title=gettext_lazy("每页条数"))
UNKNOWN_PATH = "unknown-path"


def _schema_class(annotation) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def field_label(model: type[BaseModel], loc: tuple) -> str | None:
    """The Chinese label of the field at ``loc``: its ``title`` (else the enclosing field's), or None.

    Schemas give input fields a Chinese ``title`` (it also names them in the OpenAPI schema), so a 422
    message never shows a Python field name.
    """
    label, current = None, model
    for depth, part in enumerate(loc):
        info = current.model_fields.get(part) if current is not None and isinstance(part, str) else None
        if info is None:
            break  # a list index or an unexpected key: the enclosing field names the error
        current = _schema_class(info.annotation)
        label = info.title or FIELD_LABELS.get(part) or label
        if label is None and depth == 0 and current is not None:
            label = _("请求体") if getattr(model, "__ninja_param_source__", "") == "body" else None
    return str(label) if label is not None else None  # titles are lazy translations: messages join str only


# Chinese text of each pydantic error type ({label} is the field's label; the rest comes from the error's ctx).
ERROR_TEXTS = {
    "missing": gettext_lazy("{label}为必填项。"),
    "greater_than_equal": gettext_lazy("{label}应大于或等于 {ge}。"),
    "greater_than": gettext_lazy("{label}应大于 {gt}。"),
    "less_than_equal": gettext_lazy("{label}应小于或等于 {le}。"),
    "less_than": gettext_lazy("{label}应小于 {lt}。"),
    "int_parsing": gettext_lazy("{label}应为整数。"),
    "int_type": gettext_lazy("{label}应为整数。"),
    "int_from_float": gettext_lazy("{label}应为整数。"),
    "int_parsing_size": gettext_lazy("{label}超出了整数的范围。"),
    "float_parsing": gettext_lazy("{label}应为数字。"),
    "float_type": gettext_lazy("{label}应为数字。"),
    "finite_number": gettext_lazy("{label}应为有限的数字。"),
    "string_type": gettext_lazy("{label}应为文本。"),
    "string_too_long": gettext_lazy("{label}最多 {max_length} 个字符。"),
    "string_too_short": gettext_lazy("{label}至少 {min_length} 个字符。"),
    "string_pattern_mismatch": gettext_lazy("{label}的格式不正确。"),
    "bool_parsing": gettext_lazy("{label}应为 true 或 false。"),
    "bool_type": gettext_lazy("{label}应为 true 或 false。"),
    "date_parsing": gettext_lazy("{label}应为日期，如 2026-01-31。"),
    "date_from_datetime_parsing": gettext_lazy("{label}应为日期，如 2026-01-31。"),
    "date_type": gettext_lazy("{label}应为日期，如 2026-01-31。"),
    "datetime_parsing": gettext_lazy("{label}应为日期时间，如 2026-01-31T09:00:00+08:00。"),
    "datetime_from_date_parsing": gettext_lazy("{label}应为日期时间，如 2026-01-31T09:00:00+08:00。"),
    "datetime_type": gettext_lazy("{label}应为日期时间，如 2026-01-31T09:00:00+08:00。"),
    "uuid_parsing": gettext_lazy("{label}应为 UUID。"),
    "uuid_type": gettext_lazy("{label}应为 UUID。"),
    "enum": gettext_lazy("{label}应为以下之一：{expected}。"),
    "literal_error": gettext_lazy("{label}应为以下之一：{expected}。"),
    "list_type": gettext_lazy("{label}应为列表。"),
    "too_long": gettext_lazy("{label}最多 {max_length} 项。"),
    "too_short": gettext_lazy("{label}至少 {min_length} 项。"),
    "dict_type": gettext_lazy("{label}应为 JSON 对象。"),
    "model_type": gettext_lazy("{label}应为 JSON 对象。"),
    "model_attributes_type": gettext_lazy("{label}应为 JSON 对象。"),
    "json_invalid": gettext_lazy("{label}不是有效的 JSON。"),
    "extra_forbidden": gettext_lazy("{label}不是可接受的字段。"),
}
# The part of a ninja error's loc that says where a parameter came from; the next part is its public name.
PARAM_SOURCES = {"query": gettext_lazy("参数"), "path": gettext_lazy("路径参数"), "header": gettext_lazy("请求头"),
                 "cookie": gettext_lazy("Cookie"), "form": gettext_lazy("表单字段")}


def param_label(loc) -> str | None:
    """``参数“year”`` for an error of the query parameter ``year`` (a name the client typed), or None."""
    if len(loc) >= 2 and loc[0] in PARAM_SOURCES and isinstance(loc[1], str):
        return _("{source}“{name}”").format(source=PARAM_SOURCES[loc[0]], name=loc[1])
    return None


def error_text(error: dict, label: str | None) -> str:
    """The Chinese ``msg`` of one pydantic error, by its type, with its limit (``ctx``) where it has one.

    A custom validator's message is kept when it is already Chinese; any other type reads "…的值无效".
    """
    label = label or _("该项")
    ctx = {key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, str | int | float)}
    if isinstance(ctx.get("expected"), str):  # "'a', 'b' or 'c'"
        ctx["expected"] = ctx["expected"].replace(" or ", ", ").replace("', '", "'、'")
    template = ERROR_TEXTS.get(error.get("type", ""))
    if template is not None:
        try:
            return str(template).format(label=label, **ctx)
        except (KeyError, IndexError):
            pass  # a ctx without the limit: the generic text below
    msg = str(error.get("msg", ""))
    if is_chinese(msg):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _("{label}的值无效。").format(label=label)


def _ninja_path_view(view):
    """The ninja PathView behind a URL's view function (its closure's ``self``), or None."""
    names = getattr(getattr(view, "__code__", None), "co_freevars", ())
    for name, cell in zip(names, getattr(view, "__closure__", None) or (), strict=False):
        if name == "self":
            return cell.cell_contents
    return None


# Errors every /api/v1/ operation may answer (each as the JSON error object), documented in the schema
# beside the operation's own responses: what the view declares stays as declared.
COMMON_ERRORS = {
    "400": gettext_lazy("请求有误（如分页参数越界、空字符或无效字符）。"),
    "404": gettext_lazy("请求的内容不存在、尚未公开或不在您可见的范围内。"),
    "405": gettext_lazy("不支持该请求方法。"),
    "422": gettext_lazy("请求参数有误，message 说明哪个参数。"),
    "429": gettext_lazy("请求过于频繁，请稍后再试（Retry-After 说明等待秒数）。"),
}
BODY_ERRORS = {"413": gettext_lazy("请求内容过大。"), "415": gettext_lazy("请求内容类型应为 application/json。")}
AUTH_ERRORS = {"401": gettext_lazy("请先登录。"), "403": gettext_lazy("无权访问。")}


class ZhunruAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's schema, with the JSON error object and, per operation, the 4xx answers it may give and
        how it is authenticated (ninja's SessionAuth, the admin session cookie, for internal operations; an
        explicitly empty ``security`` for public ones)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Error"] = {
            "type": "object", "title": _("错误"), "required": ["code", "message"],
            "properties": {"code": {"type": "string", "description": _("机器可读的错误代码")},
                           "message": {"type": "string", "description": _("中文说明")},
                           "detail": {"description": _("与 message 相同（兼容旧客户端）；参数错误时为逐项说明")}},
        }
        for path in schema.get("paths", {}).values():
            for method, operation in path.items():
                if not isinstance(operation, dict) or method not in ("get", "post", "put", "patch", "delete"):
                    continue
                responses = operation.setdefault("responses", {})
                errors = dict(COMMON_ERRORS)
                if "requestBody" in operation:
                    errors |= BODY_ERRORS
                if operation.get("security"):
                    errors |= AUTH_ERRORS
                else:
                    operation.setdefault("security", [])  # said explicitly: a public operation
                for status, text in errors.items():
                    responses.setdefault(status, {"description": str(text), "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
        return schema

    def validation_error_from_error_contexts(self, error_contexts: list[ValidationErrorContext]) -> ValidationError:
        """Ninja's errors, each with the Chinese ``label`` of its field where the schema gives one."""
        exc = super().validation_error_from_error_contexts(error_contexts)
        labels = [
            field_label(context.model, tuple(error["loc"]))
            for context in error_contexts
            for error in context.pydantic_validation_error.errors(include_url=False)
        ]
        for error, label in zip(exc.errors, labels, strict=True):
            if label:
                error["label"] = label
            error["msg"] = error_text(error, label or param_label(error.get("loc", ())))
        return exc

    def _get_urls(self) -> list:
        urls = [
            URLPattern(u.pattern, self._json_errors(u.callback), u.default_args, u.name)
            if isinstance(u, URLPattern)
            else u
            for u in super()._get_urls()
        ]
        # Last: any other path under /api/v1/ is a JSON 404, not the site's HTML page.
        urls.append(re_path(r"^.*$", self._json_errors(self._unknown_path), name=UNKNOWN_PATH))
        return urls

    def _json_errors(self, view):
        """Wrap a URL's view: ninja's plain-text 405 and a raised Http404 become JSON errors; HEAD is GET
        without the body (ninja's GET operations do not accept HEAD themselves). A body that is not JSON
        is refused with 415, one with NUL characters, lone surrogates or deep nesting with 400
        (``zhunru.input_bounds``)."""

        path_view = _ninja_path_view(view)

        def takes_json_body(request: HttpRequest) -> bool:
            find = getattr(path_view, "_find_operation", None)
            operation = find(request) if find is not None else None
            return operation is not None and any(
                getattr(model, "__ninja_param_source__", None) == "body" for model in operation.models
            )

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            head = request.method == "HEAD"
            if head:
                request.method = "GET"
            try:
                if takes_json_body(request):
                    check_json_request(request)
                response = view(request, *args, **kwargs)
            except InputRejected as error:
                response = self.create_response(request, error_body(error.status, error.message), status=error.status)
            except RequestDataTooBig:
                response = self.create_response(request, error_body(413), status=413)
            except Http404:
                response = self.create_response(request, error_body(404), status=404)
            finally:
                if head:
                    request.method = "HEAD"
            if isinstance(response, HttpResponseNotAllowed):
                allow = response["Allow"]
                response = self.create_response(
                    request, error_body(405, _("不支持 {method} 请求，可用的方法：{allow}。").format(method=request.method, allow=allow)), status=405
                )
                response["Allow"] = allow
            if head and not response.streaming:
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
            return response

        wrapped.csrf_exempt = True
        return wrapped

    def _unknown_path(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        path = request.path_info
        if not path.endswith("/"):
            try:
                match = resolve(path + "/", getattr(request, "urlconf", None))
            except Resolver404:
                match = None
            if match is not None and match.url_name != UNKNOWN_PATH:
                if request.method == "GET" and settings.APPEND_SLASH:
                    return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
                return self.create_response(request, error_body(404, _("接口地址应以“/”结尾。")), status=404)
        return self.create_response(request, error_body(404, _("请求的接口不存在。")), status=404)

    def create_response(
        self,
        request: HttpRequest,
        data,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        status = temporal_response.status_code if temporal_response else status
        if status and status >= 400 and isinstance(data, dict) and "code" not in data:
            detail = data.get("detail")
            data = {**error_body(status, detail if isinstance(detail, str) else None), **data}
            if isinstance(detail, str):
                data["detail"] = detail
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            conditional = get_conditional_response(
                request, etag=response["ETag"], last_modified=last_modified, response=response
            )
            if conditional is not response:
                return conditional
        return response


def _install_error_handlers(api: NinjaAPI) -> None:
    def not_found(request, exc):
        return api.create_response(request, error_body(404), status=404)

    def http_error(request, exc: HttpError):
        message = str(exc) if is_chinese(str(exc)) else None
        return api.create_response(request, error_body(exc.status_code, message), status=exc.status_code)

    def throttled(request, exc: Throttled):
        wait = int(exc.wait or 60)
        response = api.create_response(
            request, error_body(429, _("请求过于频繁，请在 {wait} 秒后重试。").format(wait=wait), retry_after=wait), status=429
        )
        response["Retry-After"] = str(wait)
        return response

    def invalid(request, exc: ValidationError):
        labels = list(dict.fromkeys(e.get("label") or param_label(e.get("loc", ())) for e in exc.errors))
        named = [label for label in labels if label]
        if not named:
            message = _("请求参数有误，请检查后重试。")
        else:
            message = _("请求参数有误：") + "、".join(named) + (_("等") if None in labels else "") + "。"
        return api.create_response(request, error_body(422, message, errors=exc.errors), status=422)

    def too_large(request, exc):
        return api.create_response(request, error_body(413), status=413)

    def suspicious(request, exc):
        return api.create_response(request, error_body(400), status=400)

    def unauthenticated(request, exc):
        return api.create_response(request, error_body(401), status=401)

    def server_error(request, exc):
        if settings.DEBUG:
            raise exc
        log.exception("API error on %s", request.path)
        return api.create_response(request, error_body(500), status=500)

    api.add_exception_handler(Exception, server_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(RequestDataTooBig, too_large)
    api.add_exception_handler(SuspiciousOperation, suspicious)


def build_api() -> NinjaAPI:
    """The /api/v1/ API: each app's ``api_v1`` module contributes ``router`` under ``prefix``."""
    api = ZhunruAPI(
        title=_("准入 · 开放接口"),
        version="1",
        description=_(
            "市场准入负面清单工作平台的公开与内部 JSON 接口。读取接口只返回已公开的内容，带 ETag，支持 "
            "If-None-Match 条件请求；错误（含请求方法不支持、接口不存在）以 JSON 返回，含 code（机器可读）与 "
            "message（中文说明）。"
        ),
        urls_namespace="zhunru_api",
        openapi_url="/schema/",
    )
    _install_error_handlers(api)
    for module in zhunru_app_modules("api_v1"):
        api.add_router(module.prefix, module.router)
    return api
