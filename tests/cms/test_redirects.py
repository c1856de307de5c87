"""zhunru.redirects: Wagtail's redirects answer as before, and a 404 that no redirect names costs one query."""

import pytest
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from zhunru.redirects import RedirectMiddleware, candidate_paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites():
    default = Site.objects.get(is_default_site=True)
    other = Site.objects.create(hostname="other.example", port=80, root_page=Page.objects.get(depth=1),
                                site_name="其他站点")
    return default, other


def _answer(host: str, path: str, response=None):
    request = RequestFactory().get(path, HTTP_HOST=host)
    return RedirectMiddleware(lambda _request: response or HttpResponseNotFound())(request)


def test_a_redirect_for_every_site_answers_with_and_without_the_query_string(sites):
    Redirect.objects.create(old_path="/old-policy", redirect_link="/policies/", is_permanent=True)
    for path in ("/old-policy/", "/old-policy/?from=mail"):
        response = _answer("localhost", path)
        assert (response.status_code, response["Location"]) == (301, "/policies/"), path


def test_a_percent_encoded_unicode_path_finds_its_redirect(sites):
    Redirect.objects.create(old_path="/旧政策", redirect_link="/policies/", is_permanent=False)
    response = _answer("localhost", "/%E6%97%A7%E6%94%BF%E7%AD%96/")
    assert (response.status_code, response["Location"]) == (302, "/policies/")


def test_a_site_specific_redirect_is_for_its_site_only_and_wins_there(sites):
    default, other = sites
    Redirect.objects.create(old_path="/guide", redirect_link="/other-guide/", site=other)
    assert _answer("localhost", "/guide/").status_code == 404
    assert _answer("other.example", "/guide/")["Location"] == "/other-guide/"
    Redirect.objects.create(old_path="/guide", redirect_link="/any-guide/")
    assert _answer("localhost", "/guide/")["Location"] == "/any-guide/"
    assert _answer("other.example", "/guide/")["Location"] == "/other-guide/"


def test_a_404_no_redirect_names_costs_one_query_and_no_site_lookup(sites):
    Redirect.objects.create(old_path="/somewhere-else", redirect_link="/x/")
    with CaptureQueriesContext(connection) as queries:
        response = _answer("localhost", "/no-such-page/?page=2")
    assert response.status_code == 404
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert "wagtailcore_site" not in queries[0]["sql"]


def test_other_answers_and_nul_paths_are_left_alone(sites):
    Redirect.objects.create(old_path="/old-policy", redirect_link="/policies/")
    ok = HttpResponse("正文")
    with CaptureQueriesContext(connection) as queries:
        assert _answer("localhost", "/old-policy/", response=ok) is ok
    assert not queries
    for path in ("/a%00b/", "/a\x00b/"):  # PostgreSQL refuses a NUL in a query: never looked up
        assert "\0" not in "".join(candidate_paths(RequestFactory().get(path)))
        assert _answer("localhost", path).status_code == 404
