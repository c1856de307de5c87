"""The full-page cache of anonymous portal pages and API reads (zhunru.portal.caching) on the configured cache:
hits, ETags, hash-based CSP, invalidation on publish, unpublish and record changes, per host, signed-in users
and forms left out, and pages still served when the cache is down."""

import base64
import hashlib
import re
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.portal.conftest import visit
from zhunru.portal import caching

pytestmark = pytest.mark.django_db

HEADER = "X-Zhunru-Cache"


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The cache on (test settings switch it off), with a generation of this test's own."""
    settings.ZHUNRU_PAGE_CACHE_SECONDS = 300
    cache.set(caching.GENERATION_KEY, uuid.uuid4().hex, None)


def _csp(response) -> str:
    return response["Content-Security-Policy"]


def test_the_second_anonymous_request_is_served_from_the_cache(client, changjiang_home, django_assert_num_queries):
    first = visit(client, changjiang_home)
    assert first.status_code == 200 and first[HEADER] == "miss"
    with django_assert_num_queries(0):
        second = visit(client, changjiang_home)
    assert second[HEADER] == "hit" and second.content == first.content
    assert second["ETag"] == first["ETag"] and second["Content-Type"].startswith("text/html")
    assert "景德镇市昌江区" in second.content.decode()


def test_a_matching_etag_gets_304(client, changjiang_home):
    etag = visit(client, changjiang_home)["ETag"]
    _site, root, path = changjiang_home.get_url_parts()
    host = root.split("://")[1]
    again = client.get(path, HTTP_HOST=host, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again[HEADER] == "hit" and again["ETag"] == etag
    assert client.get(path, HTTP_HOST=host, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_cached_pages_carry_no_nonce_and_allow_their_inline_style_by_hash(client, changjiang_home):
    for response in (visit(client, changjiang_home), visit(client, changjiang_home)):  # miss, then hit
        html = response.content.decode()
        assert "nonce=" not in html and "'nonce-" not in _csp(response)
        styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
        assert styles
        for body in styles:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in _csp(response)
        assert "script-src 'self'" in _csp(response)


def test_publishing_and_unpublishing_invalidate(client, changjiang_home, django_capture_on_commit_callbacks):
    from zhunru.models import PolicyIndexPage, PolicyPage

    index = PolicyIndexPage.objects.child_of(changjiang_home).get()
    policy = PolicyPage.objects.descendant_of(changjiang_home).get()
    assert visit(client, index)[HEADER] == "miss"
    assert visit(client, index)[HEADER] == "hit"
    policy.title = "关于清理市场准入隐性壁垒的通知（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        policy.save_revision().publish()
    response = visit(client, index)
    assert response[HEADER] == "miss" and "隐性壁垒的通知（修订）" in response.content.decode()
    assert visit(client, index)[HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        policy.unpublish()
    response = visit(client, index)
    assert response[HEADER] == "miss" and "隐性壁垒的通知（修订）" not in response.content.decode()


def test_a_record_the_page_shows_invalidates(client, portal, django_capture_on_commit_callbacks):
    from zhunru.portal.models import Hotline

    houma = portal["141081"].home_page
    assert "0357-4200000" in visit(client, houma).content.decode()
    assert visit(client, houma)[HEADER] == "hit"
    hotline = Hotline.objects.get(number="0357-4200000")
    hotline.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        hotline.save()
    response = visit(client, houma)
    assert response[HEADER] == "miss" and "0357-4200000" not in response.content.decode()


def test_each_host_has_its_own_entry(client, portal):
    changjiang, houma = portal["360202"].home_page, portal["141081"].home_page
    path = changjiang.get_url_parts()[2]
    assert path == houma.get_url_parts()[2] == "/"  # both sites' homes are at the root of their host
    assert client.get(path, HTTP_HOST="changjiang.localhost")[HEADER] == "miss"
    response = client.get(path, HTTP_HOST="houma.localhost")
    assert response[HEADER] == "miss"
    html = response.content.decode()
    assert "侯马市" in html and "景德镇市昌江区" not in html
    assert client.get(path, HTTP_HOST="houma.localhost")[HEADER] == "hit"
    assert "景德镇市昌江区" in client.get(path, HTTP_HOST="changjiang.localhost").content.decode()


def test_signed_in_users_bypass_the_cache(client, changjiang_home, portal_coordinator):
    assert visit(client, changjiang_home)[HEADER] == "miss"
    client.force_login(portal_coordinator)
    response = visit(client, changjiang_home)
    assert response[HEADER] == "bypass" and response.status_code == 200


def test_forms_are_not_cached(client, changjiang):
    url = reverse("zhunru_portal:complaint", args=[changjiang.division_code])
    for _ in range(2):
        response = client.get(url, HTTP_HOST="changjiang.localhost")
        assert response.status_code == 200 and response[HEADER] == "pass"
        assert "csrfmiddlewaretoken" in response.content.decode()


def test_api_reads_are_cached_with_their_etag(client, portal, django_capture_on_commit_callbacks):
    from zhunru.portal.models import Hotline

    url = "/api/v1/portal/hotlines/?jurisdiction=141081"
    first = client.get(url)
    assert first.status_code == 200 and first[HEADER] == "miss"
    second = client.get(url)
    assert second[HEADER] == "hit" and second.json() == first.json() and second["ETag"] == first["ETag"]
    assert second["Content-Type"].startswith("application/json")
    with django_capture_on_commit_callbacks(execute=True):
        Hotline.objects.create(jurisdiction=portal["141081"], name="新渠道", number="0357-4200001")
    third = client.get(url)
    assert third[HEADER] == "miss" and "0357-4200001" in third.content.decode()


def test_health_probes_and_search_are_never_cached(client, portal):
    assert HEADER not in client.get(reverse("zhunru_healthz"))
    assert HEADER not in client.get(reverse("zhunru_portal:search"), {"q": "壁垒"}, HTTP_HOST="changjiang.localhost")


def test_pages_are_served_when_the_cache_is_down(client, changjiang_home, settings):
    # Redis as deployed (django-redis failing open: every read a miss, every write dropped), on a port where
    # nothing listens.
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5}}}
    for _ in range(2):
        response = visit(client, changjiang_home)
        assert response.status_code == 200 and response[HEADER] == "miss"
        assert "景德镇市昌江区" in response.content.decode() and "nonce=" not in response.content.decode()


def test_api_reads_are_answered_when_the_cache_raises(client, portal, settings):
    # A cache backend that raises (Django's own Redis backend, nothing listening): the API does not use
    # Wagtail's site cache, so only the page cache's own calls meet the errors, and it renders uncached.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    for _ in range(2):
        response = client.get("/api/v1/portal/hotlines/?jurisdiction=141081")
        assert response.status_code == 200 and response[HEADER] == "miss" and response.json()
