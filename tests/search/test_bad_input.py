"""Bad input through /api/v1/search/ and /portal/search/ (issue 21): answered, never a server error; a query
the search service refuses is retried as plain terms."""

import pytest
from django.urls import reverse

from zhunru.search import indexing
from zhunru.search.backends import SearchRejected
from zhunru.search.backends.embedded import EmbeddedBackend

pytestmark = pytest.mark.django_db

API = "/api/v1/search/"
PORTAL = reverse("zhunru_portal:search")
ODD = ["", "   ", "🙂🙂🙂", "👍🏻🇨🇳", "\u200b\u200c\u200d\ufeff", "\u200b" * 50, "' OR 1=1; DROP TABLE docs; --",
       "\" OR \"\"=\"", "title:壁垒 AND (整改 OR 约谈)~2^3", "壁垒* ?整改 {1 TO 9} [a TO z] /re.*/", "NEAR(整改 约谈)",
       "-整改 +约谈 !壁垒 &&|| ", "\\\\\\", "%_%", "😀整改😀", "整\u200b改"]
SENTENCE = "我们公司去外县投标被要求先在当地注册分公司，县里说这是为了方便管理，外地企业都得这么办，这合理吗？" * 2


@pytest.fixture
def indexed(search_settings, make_policy):
    make_policy("关于清理隐性壁垒的通知", body="<p>各部门开展整改，约谈有关单位，外地企业投标不得要求在本地注册分公司。</p>")
    make_policy("营商环境优化方案", body="<p>推进招标投标公平竞争。</p>")
    indexing.apply_due()


@pytest.mark.parametrize("q", ODD + [SENTENCE[:100]])
def test_odd_queries_answer_200_on_the_api(client, indexed, q):
    res = client.get(API, {"q": q})
    assert res.status_code == 200, res.content
    assert isinstance(res.json()["hits"], list)


@pytest.mark.parametrize("q", ODD + [SENTENCE[:100]])
def test_odd_queries_answer_200_on_the_portal(client, indexed, q):
    res = client.get(PORTAL, {"q": q})
    assert res.status_code == 200, res.content.decode()[:500]


def test_invisible_or_emoji_only_queries_list_the_newest_with_a_note(client, indexed):
    for q in ("🙂🙂🙂", "\u200b\u200c\ufeff"):
        data = client.get(API, {"q": q}).json()
        assert data["total"] == 2 and "标点或符号" in data["message"]


def test_a_zero_width_space_inside_a_word_still_finds_it(client, indexed):
    assert client.get(API, {"q": "隐性\u200b壁垒"}).json()["total"] == 1


def test_a_sentence_finds_what_its_words_find(client, indexed):
    data = client.get(API, {"q": "我们公司去外县投标被要求先在当地注册分公司"}).json()
    assert data["hits"][0]["title"] == "关于清理隐性壁垒的通知"


@pytest.mark.parametrize("url", [API, PORTAL])
def test_a_ten_thousand_character_query_is_searched_by_its_beginning_with_a_note(client, indexed, url):
    # Issue 21: a pasted letter answers 200; the input bounds (issue 23) cut it before any view or engine.
    q = ("隐性壁垒" + SENTENCE) * 300
    assert len(q) > 10_000
    res = client.get(url, {"q": q})
    assert res.status_code == 200
    body = str(res.json()) if url == API else res.content.decode()
    assert "检索词过长，已按前" in body and "关于清理隐性壁垒的通知" in body


class RefusingBackend(EmbeddedBackend):
    """The embedded index behind a service that refuses rich queries (as a cluster does past
    ``indices.query.bool.max_clause_count``): any plan with keywords, synonyms or proximity pieces."""

    refused = 0

    def search(self, plan, *args, **kwargs):
        if plan.terms or plan.phrases:
            type(self).refused += 1
            raise SearchRejected("too many clauses", status=400)
        return super().search(plan, *args, **kwargs)


@pytest.fixture
def refusing(search_settings, indexed):
    search_settings(BACKEND=f"{__name__}.RefusingBackend")
    RefusingBackend.refused = 0
    return RefusingBackend


@pytest.mark.parametrize("q", ["隐性壁垒 整改", "我们公司去外县投标被要求先在当地注册分公司", "title:壁垒 AND 整改"])
def test_a_refused_query_is_retried_as_plain_terms(client, refusing, q):
    res = client.get(API, {"q": q})
    assert res.status_code == 200, res.content
    assert refusing.refused == 1
    assert res.json()["hits"][0]["title"] == "关于清理隐性壁垒的通知"


def test_a_query_refused_twice_is_a_chinese_400(client, search_settings, indexed):
    class AlwaysRefusing(EmbeddedBackend):
        def search(self, *args, **kwargs):
            raise SearchRejected("refused", status=400)

    globals()["AlwaysRefusing"] = AlwaysRefusing
    search_settings(BACKEND=f"{__name__}.AlwaysRefusing")
    res = client.get(API, {"q": "隐性壁垒"})
    assert res.status_code == 400 and "检索服务无法执行" in res.json()["detail"]
