"""All Chinese (issue 22, item 4): a crawl of our apps' admin pages finds no English word on screen.

The demo is loaded, a superuser and a coordinator follow every link from the admin home into our apps'
pages (snippet viewsets, lead, case, portal, credit and audit views; one URL per route), and the
text a person reads — element text, and the placeholder, title, aria-label and alt attributes — is
searched for Latin words of three letters or more. What may stay is in ``ALLOWED``: codes, formats and
brand names, and words in data (e-mail addresses, host names, user names, URLs) rather than in our text.
Every time shown is Beijing time: the demo's rows, just created, never show with their UTC hour.
Wagtail's own interface is translated by its zh-hans catalogue, with the few strings it leaves untranslated
filled in by ours (cms/locale); what Wagtail writes in its templates without translation is in
``WAGTAIL_UNTRANSLATED``. Only ``<main>`` is read.
"""

import datetime
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

ALLOWED = {
    # formats, standards, protocols, codes
    "XLSX", "CSV", "PDF", "API", "JSON", "SHA", "HMAC", "URL", "USCC", "HTTP", "HTTPS", "OpenAPI", "UTC", "ISO",
    "GB", "SVG", "ZIP", "TXT", "DOCX", "DOC", "XLS", "PNG", "JPG", "JPEG", "UTF", "BOM", "WeCom", "SMS", "MiB",
    "KiB", "KB", "MB", "GMT", "CST", "ID", "IP", "TOTP", "OTP",
    # names
    "Wagtail", "Zhunru", "Django", "DingTalk", "Elasticsearch", "Tantivy", "Redis", "PostgreSQL", "SQLite",
    "App", "Excel", "Office", "WPS", "Microsoft", "Google", "Authenticator", "FreeOTP",
}
WORD = re.compile(r"[A-Za-z][A-Za-z’']{2,}")
# Data, not interface text: addresses, hosts, user names (kebab-case), paths, identifiers with digits or
# underscores, dotted names.
# Wagtail's own interface text written in its templates without translation (Wagtail 8.0: headers/_actions.html,
# generic/form.html, generic/index_results.html, side_panels/includes/status/workflow.html, listing headers).
WAGTAIL_UNTRANSLATED = re.compile(r"There are no .{1,40}? to display\. Why not add one ?\?|To be created by \S+"
                                  r"|Actions \(footer\)|\bActions\b")
DATA = re.compile(r"\S+@\S+|\b\w+(?:\.\w+)+\b|\b\w+:\S+|\{\w+\}|\b[A-Z0-9]{2,}(?:-[A-Z0-9]{2,})+\b|https?://\S+|\b[\w.-]+\.(?:localhost|invalid|gov\.cn|com|cn|org|txt|pdf|xlsx|csv|docx)\b"
                  r"|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|/\S+|\b\w*[_\d]\w*\b|\b\w+(?:\.\w+)+\b")
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
ROUTES_TO_SKIP = ("logout", "login", "export", ".xlsx", ".csv", ".pdf", "download", "print")


class VisibleText(HTMLParser):
    """Text inside <main> that a person reads, and the links found anywhere."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._main = 0
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "main":
            self._main += 1
        if tag in ("script", "style", "template", "code", "pre", "textarea"):
            self._hidden += 1
        if self._main and not self._hidden:
            self.chunks.extend(attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name))

    def handle_endtag(self, tag):
        if tag == "main":
            self._main = max(0, self._main - 1)
        if tag in ("script", "style", "template", "code", "pre", "textarea"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if self._main and not self._hidden:
            self.chunks.append(data)


def english_words(text: str, data: frozenset = frozenset()) -> list[str]:
    """Latin words of ``text`` that are neither allowed nor ``data`` (values stored in the database)."""
    text = DATA.sub(" ", WAGTAIL_UNTRANSLATED.sub(" ", " ".join(text.split())))
    return [w for w in WORD.findall(text) if w not in ALLOWED and w.upper() not in ALLOWED and w not in data]


def stored_words() -> frozenset:
    """Words that are data, not interface text: user names, the credit platforms' codes and what the audit trail
    names its objects by (load_demo deletes Wagtail's "Welcome to your new Wagtail site!" page, and the timeline
    says so)."""
    from django.contrib.auth import get_user_model

    from zhunru.audit.models import AuditEvent
    from zhunru.credit.models import CreditPlatform

    names = set(get_user_model().objects.values_list("username", flat=True))
    reprs = {w for text in AuditEvent.objects.values_list("object_repr", flat=True) for w in WORD.findall(text or "")}
    return frozenset(names | reprs | set(CreditPlatform.objects.values_list("code", flat=True)))


def ours(path: str) -> str | None:
    """The route's name when the path is one of our apps' admin pages, else None."""
    if not path.startswith("/admin/") or any(part in path for part in ROUTES_TO_SKIP):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}"
    module = getattr(match.func, "__module__", "") or ""
    if "zhunru" in name or module.startswith("zhunru") or match.namespace.startswith("audit"):
        return name
    return None


def _parameterless(patterns, prefix: str = "") -> list[str]:
    """Every URL path without parameters that the URL configuration holds."""
    from django.urls import URLPattern, URLResolver

    paths = []
    for entry in patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route or "[" in route or "\\" in route:
            continue
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            paths += _parameterless(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return paths


def seeds() -> list[str]:
    """Our admin pages that take no parameter: where the menus lead (the sidebar is drawn by JavaScript)."""
    from django.urls import get_resolver

    return sorted({p for p in _parameterless(get_resolver().url_patterns) if ours(p)})


def crawl(client: Client, limit: int = 400, data: frozenset = frozenset(), utc_marker: str = "") -> tuple[dict[str, list[str]], set[str]]:
    """({url: English words on it}, routes read) for our pages reachable from the admin home."""
    queue, seen, per_route, found, read = ["/admin/", *seeds()], set(), Counter(), {}, set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        if url != "/admin/":
            read.add(ours(urlsplit(url).path))
            text = " ".join(" ".join(parser.chunks).split())
            words = english_words(text, data)
            if utc_marker and utc_marker in text:
                words.append(f"UTC 时间“{utc_marker}”")
            if words:
                found[url] = sorted(set(words))
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc or not parts.path:
                continue
            route = ours(parts.path)
            if route is None or per_route[route] >= 1:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query and per_route[route] == 0 else "")
            if target not in seen:
                per_route[route] += 1
                queue.append(target)
    return found, read


def test_the_words_check_can_fail():
    assert english_words("请选择 Please choose 一项") == ["Please", "choose"]
    assert english_words("联系 changjiang-coordinator 或 admin@example.invalid，下载 XLSX") == []


@pytest.mark.parametrize("username", [None, "houma-coordinator"], ids=["superuser", "houma-coordinator"])
def test_our_admin_pages_show_no_english(settings, full_demo, username):
    from django.contrib.auth import get_user_model

    settings.DEBUG = True
    # What the demo created shows in Beijing time; its UTC time (8 hours earlier) must appear nowhere.
    utc = full_demo["loaded_at"].astimezone(datetime.UTC)
    utc_marker = f"{utc.year}年{utc.month}月{utc.day}日 {utc:%H}:"
    users = get_user_model().objects
    if username is None:
        user = users.filter(is_superuser=True).first() or users.create_superuser("root", "root@example.invalid", "x")
    else:
        user = users.get(username=username)
    client = Client()
    client.force_login(user)
    found, read = crawl(client, data=stored_words(), utc_marker=utc_marker)
    assert len(read) >= 60, sorted(read)  # the crawl reached our apps' pages
    assert found == {}, "\n".join(f"{url}: {' '.join(words)}" for url, words in sorted(found.items()))
