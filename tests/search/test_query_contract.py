"""Query understanding (issue 21, item 1), one contract for every backend: a sentence is a ranked OR over
its bigrams with a minimum-should-match, three-character pieces raise documents that keep the words
together, titles weigh more than text, synonyms a sentence mentions count as one unit."""

import pytest

from zhunru.search.analysis import KEYWORD_BIGRAMS, minimum_should_match, plan_query

GROUPS = [["招投标", "招标投标"], ["分公司", "分支机构"]]


def doc(id_, title, text):
    return {"id": id_, "type": "case", "type_label": "典型案例", "title": title, "summary": "", "text": text,
            "date": "2024-01-0" + id_[-1], "year": 2024, "category": "", "department": "", "region": "",
            "codes": [], "url": f"/{id_}/"}


DOCS = [
    doc("d:1", "外地企业投标须在本地注册分公司案", "县里要求外地企业先在本地注册分公司才能投标。"),
    doc("d:2", "某县违规收费案", "窗口收取注册费用；企业投标时另行缴纳保证金；公司分立登记延误。"),  # scattered words
    doc("d:3", "工程款拖欠案", "建设单位拖欠工程款，已督促支付。"),
    doc("d:4", "某市招标投标领域设立分支机构要求案", "评标办法要求投标人在本市设立分支机构。"),
    doc("d:5", "加油站审批案", "分公司注册后，投标要求本地业绩，文中提到外地企业。"),  # same words, text only
]


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_plan_of_a_sentence():
    plan = plan_query("我们公司去外县投标被要求先在当地注册分公司", GROUPS)
    assert not plan.terms
    assert plan.optional[0].forms == ["分公司", "分支机构"]  # one unit; its bigrams belong to it
    assert "分公" not in [t.raw for t in plan.optional] and "外县" in [t.raw for t in plan.optional]
    assert plan.minimum_should_match == minimum_should_match(len(plan.optional)) < len(plan.optional)
    assert "注册分" in plan.phrases
    short = plan_query("违规收取费用")  # six characters: still a keyword, every bigram required
    assert len(short.terms) == 1 and not short.optional and KEYWORD_BIGRAMS == 5
    assert [minimum_should_match(n) for n in (1, 3, 4, 5, 6, 19, 40)] == [1, 3, 3, 4, 3, 4, 8]


class QueryContract:
    @pytest.fixture
    def loaded(self, backend):
        backend.rebuild([dict(d) for d in DOCS])
        return backend

    def run(self, backend, q, **kw):
        return backend.search(plan_query(q, GROUPS), per_page=10, **kw)

    def test_a_sentence_is_a_ranked_or_not_a_strict_and(self, loaded):
        result = self.run(loaded, "我们公司去外县投标被要求先在当地注册分公司")
        assert ids(result)[0] == "d:1"
        assert "d:3" not in ids(result)  # fewer units than the minimum: not a match at all

    def test_words_kept_together_rank_above_the_same_words_scattered(self, backend):
        # The same four bigrams in both texts, in a row only in p:1 (indexed second: ties favour p:2).
        backend.rebuild([doc("p:2", "通报", "公司，分公，册分，注册"), doc("p:1", "通报", "注册分公司")])
        assert ids(self.run(backend, "要在外地注册分公司")) == ["p:1", "p:2"]

    def test_title_weighs_more_than_text(self, backend):
        backend.rebuild([doc("t:1", "某县通报", "加油站距离限制，已整改。"), doc("t:2", "加油站距离限制", "某县通报，已整改。")])
        assert ids(self.run(backend, "县里加油站距离限制不给批怎么办")) == ["t:2", "t:1"]
        assert ids(self.run(backend, "加油站 距离")) == ["t:2", "t:1"]

    def test_synonyms_inside_a_sentence(self, loaded):
        result = self.run(loaded, "招投标时要求在本市设立分公司")
        assert ids(result)[0] == "d:4"

    def test_keywords_still_all_match(self, loaded):
        assert ids(self.run(loaded, "拖欠 工程款")) == ["d:3"]
        assert self.run(loaded, "拖欠 加油站").total == 0


class TestEmbeddedQueries(QueryContract):
    @pytest.fixture
    def backend(self, embedded_backend):
        return embedded_backend


class TestSqliteFtsQueries(QueryContract):
    @pytest.fixture
    def backend(self, fts_backend):
        return fts_backend


class TestElasticsearchQueries(QueryContract):
    @pytest.fixture
    def backend(self, es_backend):
        return es_backend
