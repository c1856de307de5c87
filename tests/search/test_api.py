"""GET /api/v1/search/: every input gives a clear answer, never a 500."""

import pytest

from zhunru.search import indexing

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(search_settings, make_policy):
    make_policy("关于清理隐性壁垒的通知", body="<p>各部门开展整改，约谈有关单位。</p>", document_number="测发改〔2026〕3号")
    make_policy("营商环境优化方案", body="<p>推进招标投标公平竞争。</p>")
    indexing.apply_due()


def get(client, **params):
    return client.get("/api/v1/search/", params)


def test_search_returns_total_hits_highlights_and_facets(client, indexed):
    res = get(client, q="隐性壁垒")
    assert res.status_code == 200
    data = res.json()
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["type"] == "policy" and hit["title"] == "关于清理隐性壁垒的通知" and hit["region"] == "测试区"
    assert any("<em>隐性壁垒</em>" in f for f in hit["highlights"])
    assert data["facets"]["type"] == {"policy": 1}
    assert hit["url"].startswith("http://"), hit["url"]  # absolute: usable outside the portal


def test_filters(client, indexed):
    year = get(client, q="").json()["hits"][0]["date"][:4]
    assert get(client, q="整改", type="policy", year=year).json()["total"] == 1
    assert get(client, q="整改", type="case").json()["total"] == 0
    assert get(client, q="整改", department="测试区发展和改革委员会").json()["total"] == 1
    assert get(client, q="整改", category="政策文件", page=2).json()["hits"] == []


@pytest.mark.parametrize("q", ["", "   ", '"', "()", "AND OR NOT", "title:壁垒", "*?~^", "\\", "<script>", "整",
                               "a", "壁垒" * 10, "🙂"])
def test_odd_queries_never_fail(client, indexed, q):
    res = get(client, q=q)
    assert res.status_code == 200, res.content


def test_nul_in_query_is_a_chinese_400(client, indexed):
    """A NUL character in any query string is refused before the view (zhunru.input_bounds)."""
    res = get(client, q="\x00")
    assert res.status_code == 400 and "空字符" in res.json()["message"]


def test_empty_query_lists_newest(client, indexed):
    data = get(client).json()
    assert data["total"] == 2


def test_single_character_query_gets_a_hint(client, indexed):
    data = get(client, q="整").json()
    assert data["total"] == 1 and "单字" in data["message"]


def test_an_over_long_query_is_searched_by_its_beginning_with_a_note(client, indexed):
    data = get(client, q="清理隐性壁垒。" * 20).json()
    assert "检索词过长，已按前 100 字检索" in data["message"] and data["total"] >= 1


@pytest.mark.parametrize("params, message", [
    ({"q": "整改", "year": "二〇二四"}, "年份"),
    ({"q": "整改", "page": "0"}, "页码"),
    ({"q": "整改", "page": "abc"}, "页码"),
    ({"q": "整改", "per_page": "0"}, "每页条数应为 1 至 50 之间的整数"),
    ({"q": "整改", "per_page": "-1"}, "每页条数应为 1 至 50 之间的整数"),
    ({"q": "整改", "per_page": "51"}, "每页条数应为 1 至 50 之间的整数"),
    ({"q": "整改", "per_page": "99999999999999999999"}, "每页条数应为 1 至 50 之间的整数"),
    ({"q": "整改", "per_page": "abc"}, "每页条数应为 1 至 50 之间的整数"),
])
def test_bad_input_is_refused_in_chinese(client, indexed, params, message):
    res = get(client, **params)
    assert res.status_code == 400
    assert message in res.json()["detail"]
    assert ("页码" in res.json()["detail"]) == ("page" in params)  # the parameter at fault is the one named


def test_per_page_within_its_range_is_taken_as_asked(client, indexed):
    assert get(client, q="整改", per_page="1").json()["per_page"] == 1
    assert get(client, q="整改", per_page="50").json()["per_page"] == 50


def test_the_sqlite_fts_fallback_serves_the_api(client, search_settings, make_policy):
    search_settings(BACKEND="zhunru.search.backends.sqlite_fts.SqliteFtsBackend")
    make_policy("关于清理隐性壁垒的通知", body="<p>各部门开展整改，约谈有关单位。</p>", document_number="测发改〔2026〕3号")
    indexing.apply_due()
    data = get(client, q="隐性壁垒").json()
    assert data["total"] == 1 and any("<em>隐性壁垒</em>" in f for f in data["hits"][0]["highlights"])
    assert get(client, q="测发改〔2026〕3号").json()["total"] == 1
    assert get(client, q="整改", type="policy").json()["facets"]["type"] == {"policy": 1}
    assert get(client, q='title:壁垒 "').status_code == 200
    assert get(client, q="整改", page="201", per_page="50").status_code == 400


def test_outage_is_503_not_500(client, search_settings):
    from tests.search.conftest import es_params, free_port

    search_settings(**es_params(f"http://127.0.0.1:{free_port()}"))
    res = get(client, q="整改")
    assert res.status_code == 503
    assert "暂时不可用" in res.json()["detail"]


def test_backlog_view_is_for_administrators(client, make_user, search_settings, make_policy):
    make_policy("待索引的政策")
    client.force_login(make_user("editor"))
    assert client.get("/admin/search-backlog/").status_code in (302, 403)
    client.force_login(make_user("root", superuser=True))
    res = client.get("/admin/search-backlog/")
    assert res.status_code == 200
    assert "待处理任务" in res.content.decode()
    assert client.post("/admin/search-backlog/").status_code == 302


def test_pages_beyond_the_result_window_are_refused_in_chinese(client, indexed):
    # Elasticsearch refuses from + size > 10,000 (index.max_result_window): the query layer refuses first.
    assert get(client, q="整改", page="200", per_page="50").status_code == 200  # exactly 10,000
    res = get(client, q="整改", page="201", per_page="50")
    assert res.status_code == 400
    assert "前 10000 条" in res.json()["detail"]
    assert get(client, q="整改", page="1000", per_page="20").status_code == 400


def test_the_portal_page_explains_a_too_deep_page(client, indexed, settings):
    from django.urls import reverse

    settings.ZHUNRU_PORTAL = {**getattr(settings, "ZHUNRU_PORTAL", {}), "SEARCH_PER_PAGE": 50}
    res = client.get(reverse("zhunru_portal:search"), {"q": "整改", "page": "201"})
    assert res.status_code == 400
    assert "前 10000 条" in res.content.decode()


class RefusingClient:
    """An Elasticsearch client whose cluster answers every search with one HTTP error status."""

    def __init__(self, status: int):
        self.status = status

    def search(self, **kwargs):
        from tests.search.test_elasticsearch import api_error

        raise api_error(self.status, "Result window is too large, from + size must be less than or equal to: [10000]")

    def close(self):
        pass


@pytest.mark.parametrize("status, answer", [(400, 400), (413, 400), (403, 503), (409, 503), (500, 503)])
def test_an_elasticsearch_refusal_is_answered_without_a_500(client, search_settings, status, answer):
    from tests.search.conftest import es_params, free_port
    from zhunru.search.backends import get_backend

    search_settings(**es_params(f"http://127.0.0.1:{free_port()}"))
    get_backend()._client = RefusingClient(status)
    res = get(client, q="整改", page="3")
    assert res.status_code == answer
    assert res.json()["detail"] in ("检索服务无法执行这一检索，请缩短检索词、减少筛选条件或查看靠前的结果页。",
                                    "检索服务暂时不可用，请稍后再试。")
