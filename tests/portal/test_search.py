"""The portal's search page over the search layer: highlights, badges, facet counts, filters, pages, empty state."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("zhunru_portal:search")


@pytest.fixture
def indexed(published_bulletin):
    from search.indexing import rebuild

    rebuild()
    return published_bulletin


def test_results_have_highlights_badges_and_facet_counts(client, indexed):
    html = client.get(URL, {"q": "分公司", "j": "360202"}).content.decode()
    assert "<em>分公司</em>" in html
    assert '<span class="badge">典型案例</span>' in html and '<span class="badge">案例通报</span>' in html
    assert 'data-facet="type"' in html and "(1)" in html
    assert "2026" in html  # year facet and dates
    assert "景德镇市昌江区" in html  # the jurisdiction's header stays
    assert 'data-facet="region"' in html


def test_filter_by_type_and_clear(client, indexed):
    html = client.get(URL, {"q": "分公司", "j": "360202", "type": "case"}).content.decode()
    assert '<span class="badge">典型案例</span>' in html and '<span class="badge">案例通报</span>' not in html
    assert 'aria-current="true"' in html and "清除筛选" in html


def test_pagination(client, indexed, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "SEARCH_PER_PAGE": 1}
    first = client.get(URL, {"q": "分公司", "j": "360202"}).content.decode()
    assert "第 1/2 页" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(URL, {"q": "分公司", "j": "360202", "page": "2"}).content.decode()
    assert "第 2/2 页" in second and 'rel="prev"' in second


def test_empty_state_offers_suggestions(client, indexed):
    html = client.get(URL, {"q": "完全不存在的词语组合", "j": "360202"}).content.decode()
    assert "没有找到与“完全不存在的词语组合”相关的公开内容" in html
    assert "隐性壁垒" in html and reverse("zhunru_portal:complaint", args=["360202"]) in html


def test_bad_input_is_explained_in_chinese(client, portal):
    response = client.get(URL, {"q": "长" * 101})
    assert response.status_code == 400 and "检索词过长" in response.content.decode()
    assert client.get(URL, {"q": "准入", "year": "abc"}).status_code == 400


def test_case_hits_land_on_the_cases_anchor_in_its_bulletin(client, indexed):
    from cms.cases.models import Case
    from search.query import search
    from tests.portal.conftest import visit

    case = Case.objects.get(title="某镇要求外地企业在本地设立分支机构方可参与投标")
    [hit] = search("分支机构", type="case").hits
    assert hit.url == f"{indexed.get_url()}#case-{case.pk}"
    html = visit(client, indexed).content.decode()
    assert f'<section class="case" id="case-{case.pk}">' in html
