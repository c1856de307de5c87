"""Full-page cache of anonymous portal pages and API reads, on the configured Django cache.

``PortalCacheMiddleware`` answers a GET or HEAD from the cache when the visitor carries no session, no
``Authorization`` header and no messages, and stores a page when its response shows it is the same for every
such visitor: 200, HTML or JSON, no cookie set, no CSRF token rendered (forms stay uncached), the session
untouched, not marked private or no-store. The key holds the scheme, host and full path, so a page of one
jurisdiction's site is never served on another host.

Cached pages carry no per-request nonce: before a page is stored, the nonce attribute of its inline
``<style>``/``<script>`` elements is removed and the policy allows exactly those elements by their SHA-256
hash (django-csp's ``_csp_update``); the uncached first answer is the same page with the same policy. Every
answer gets a strong ``ETag`` and a matching ``If-None-Match`` gets ``304``. ``X-Zhunru-Cache`` says
``hit``, ``miss`` (rendered now, and stored if the cache answers), ``pass`` (not cacheable) or ``bypass`` (signed in, or a session).

Invalidation: every key carries a generation token; publishing, unpublishing, moving or deleting a page, and
saving or deleting a record the portal shows (``INVALIDATING_MODELS``), replace the token after commit, so
every cached page and API answer is out at once. Entries also expire after ``ZHUNRU_PAGE_CACHE_SECONDS``
(default 300; 0 switches the cache off), which bounds what a change made without signals (``.update()``) or
made while the cache was unreachable leaves stale.

The cache is a convenience: when it raises or answers nothing (Redis down, or a backend that swallows its
errors), pages are rendered as if uncached and a warning is logged at most once a minute.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _

from zhunru.mounts import is_admin_path, is_zhunru_path

log = logging.getLogger(__name__)

HEADER = "X-Zhunru-Cache"
GENERATION_KEY = "zhunru-pagecache:generation"
KEY_PREFIX = "zhunru-pagecache:page"
DEFAULT_SECONDS = 300
CACHEABLE_TYPES = ("text/html", "application/json")
# Response headers kept with a cached page (the outer middleware adds the rest on the way out).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "ETag", "Link", "Content-Disposition")
# Paths (reversed URL names) never cached: probes must see the live process; search answers follow the
# index, which is updated after the commit that changed a record, not at it.
UNCACHED_URL_NAMES = ("zhunru_healthz", "zhunru_readyz", "zhunru_portal:search")
UNCACHED_PATH_SUFFIXES = ("api/v1/search/",)

# Records shown on portal pages or by the API: saving or deleting one invalidates every cached page.
INVALIDATING_MODELS = (
    "zhunru_cms.jurisdiction", "zhunru_cms.department", "zhunru_cms.attachment",
    "zhunru_cases.bulletincase", "zhunru_cases.case", "zhunru_cases.registersettings",
    "zhunru_catalog.listedition", "zhunru_catalog.listitem", "zhunru_catalog.listmeasure",
    "zhunru_catalog.serviceitem", "zhunru_catalog.servicedocumentversion", "zhunru_catalog.servicerating",
    "zhunru_catalog.catalogrevision",
    "zhunru_credit.publicdecision", "zhunru_credit.dishonestyrecord", "zhunru_credit.marketsubject",
    "zhunru_credit.listmembership", "zhunru_credit.creditclasschange",
    "zhunru_portal.hotline", "zhunru_search.synonym",
    "wagtailcore.site", "wagtailcore.pageviewrestriction", "wagtailcore.collectionviewrestriction",
    "wagtailimages.image", "wagtaildocs.document", "wagtailredirects.redirect",
)

_INLINE = re.compile(r"<(style|script)\b([^>]*?)\snonce=\"([^\"]*)\"([^>]*)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_warned_at = 0.0
_warn_lock = threading.Lock()


def seconds() -> int:
    value = getattr(settings, "ZHUNRU_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _warn(what: str, exc: Exception | None = None) -> None:
    global _warned_at
    with _warn_lock:
        if time.monotonic() - _warned_at < 60:
            return
        _warned_at = time.monotonic()
    log.warning("页面缓存不可用（%s），页面照常生成：%s", what, exc or _("缓存无应答"))


# --- invalidation -------------------------------------------------------------------------------------


def _generation() -> str | None:
    """The current generation token, made on first use; None when the cache does not answer."""
    try:
        token = cache.get(GENERATION_KEY)
        if token is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            token = cache.get(GENERATION_KEY)
    except Exception as exc:  # the cache is down: render uncached
        _warn(_("读取"), exc)
        return None
    if token is None:
        _warn(_("读取"))
    return token


def invalidate() -> None:
    """Drop every cached page and API answer (a new generation), after the current transaction commits."""

    def bump() -> None:
        try:
            cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        except Exception as exc:
            _warn(_("失效"), exc)

    transaction.on_commit(bump, robust=True)


def _on_page_change(sender=None, **kwargs) -> None:
    invalidate()


def _on_record_change(sender, **kwargs) -> None:
    if sender._meta.label_lower in INVALIDATING_MODELS:
        invalidate()


def connect_signals() -> None:
    """Connected in the portal app's ready(): Wagtail's page signals, and saves and deletes of the models
    whose rows portal pages and the API show."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_change, dispatch_uid="zhunru_pagecache_published")
    page_unpublished.connect(_on_page_change, dispatch_uid="zhunru_pagecache_unpublished")
    post_page_move.connect(_on_page_change, dispatch_uid="zhunru_pagecache_moved")
    post_delete.connect(_on_page_deleted, dispatch_uid="zhunru_pagecache_page_deleted")
    post_save.connect(_on_record_change, dispatch_uid="zhunru_pagecache_saved")
    post_delete.connect(_on_record_change, dispatch_uid="zhunru_pagecache_deleted")


def _on_page_deleted(sender, instance=None, **kwargs) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page) and instance.live:
        invalidate()


# --- the middleware -----------------------------------------------------------------------------------


def _uncached_paths() -> tuple[str, ...]:
    paths = []
    for name in UNCACHED_URL_NAMES:
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            pass
    try:
        prefix = reverse("zhunru_healthz")[: -len("healthz")]
        paths.extend(prefix + suffix for suffix in UNCACHED_PATH_SUFFIXES)
    except NoReverseMatch:
        pass
    return tuple(paths)


def _bypass(request) -> str | None:
    """Why this request is not served from the cache (None: it may be); "" when the cache does not apply."""
    if request.method not in ("GET", "HEAD") or not seconds():
        return ""
    path = request.path_info
    if not is_zhunru_path(path) or is_admin_path(path) or path.startswith(_uncached_paths()):
        return ""
    if (settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
            or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in request.COOKIES):
        return "bypass"
    return None


def _key(request, generation: str) -> str:
    where = f"{request.scheme}://{request.get_host().lower()}{request.get_full_path()}"
    return f"{KEY_PREFIX}:{generation}:{hashlib.sha256(where.encode()).hexdigest()}"


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.get("Content-Type", "").split(";")[0].strip() not in CACHEABLE_TYPES:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    if "cookie" in response.get("Vary", "").lower() or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a CSRF token was rendered: a form, kept off the cache
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "added_new", False):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and getattr(session, "modified", False))


def _hash_inline_code(request, response) -> dict | None:
    """Remove the request's nonce from the page's inline elements and return the CSP sources that allow
    them by hash; None when the nonce is used anywhere else (the page is then not cached)."""
    nonce = getattr(request, "_csp_nonce", None)
    if not isinstance(nonce, str) or "text/html" not in response.get("Content-Type", ""):
        return {}
    html = response.content.decode(response.charset or "utf-8")
    sources: dict[str, list[str]] = {}

    def strip(match: re.Match) -> str:
        tag, before, value, after, body = match.groups()
        if value != nonce:
            return match.group(0)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        sources.setdefault(f"{tag.lower()}-src", []).append(f"'sha256-{digest}'")
        return f"<{tag}{before}{after}>{body}</{tag}>"

    html = _INLINE.sub(strip, html)
    if nonce in html:
        return None
    response.content = html.encode(response.charset or "utf-8")
    del request._csp_nonce  # the header then carries the hashes, not this request's nonce
    return {k: sorted(set(v)) for k, v in sources.items()}


def _etag(response) -> None:
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'


def _restore(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"].items():
        response[name] = value
    if entry["csp"]:
        response._csp_update = entry["csp"]
    return response


class PortalCacheMiddleware:
    """Serve anonymous portal pages and API reads from the cache; store them on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = _bypass(request)
        if reason is not None:
            response = self.get_response(request)
            if reason:
                response[HEADER] = reason
            return response
        generation = _generation()
        key = _key(request, generation) if generation else None
        entry = None
        if key:
            try:
                entry = cache.get(key)
            except Exception as exc:
                _warn(_("读取"), exc)
        if entry is not None:
            response = _restore(entry)
            response[HEADER] = "hit"
            return _conditional(request, response)
        response = self.get_response(request)
        if request.method != "GET" or not _storable(request, response):
            response[HEADER] = "pass"
            return response
        csp = _hash_inline_code(request, response)
        if csp is None:
            response[HEADER] = "pass"
            return response
        if csp:
            response._csp_update = {**(getattr(response, "_csp_update", None) or {}), **csp}
        _etag(response)
        response[HEADER] = "miss"
        if key:
            entry = {"content": response.content, "csp": csp,
                     "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}}
            try:
                cache.set(key, entry, seconds())
            except Exception as exc:
                _warn(_("写入"), exc)
        return _conditional(request, response)


def _conditional(request, response):
    """304 to a matching If-None-Match (it keeps the ETag and says where it came from)."""
    answer = get_conditional_response(request, etag=response["ETag"], response=response)
    if answer is not response:
        answer[HEADER] = response[HEADER]
    return answer
