"""Bounded work per query (issue 21 item 5), one contract for every backend: totals exact up to a threshold
then "at least" it ("10000+"), facets exact up to a sample size then counted over the same deterministic
sample of the matches and scaled; reconciliation streaming in chunks. The Elasticsearch subclass runs over
HTTP against osmem-server."""

import pytest

from tests.search.test_contract import DOCS, directory_generations
from zhunru.search import indexing
from zhunru.search.analysis import plan_query
from zhunru.search.backends.base import SAMPLE_BUCKETS, sample_cut, sample_key, scaled_facets

MANY = [{"id": f"case:{i}", "type": ("case", "policy", "bulletin")[i % 3], "type_label": "典型案例",
         "title": f"第{i}号排查通报", "summary": "", "text": "开展市场准入壁垒排查整改。", "date": f"{2020 + i % 5}-03-01",
         "year": 2020 + i % 5, "category": "招标投标", "department": "", "region": ("甲县", "乙区")[i % 2],
         "codes": [], "url": f"/cases/{i}/", "checksum": f"c{i}"} for i in range(300)]


def run(backend, q, **kw):
    return backend.search(plan_query(q), **kw)


class BoundedContract:
    def test_total_is_exact_up_to_the_threshold_then_at_least_it(self, backend):
        backend.rebuild([dict(d) for d in DOCS])
        backend.params["TOTAL_HITS_THRESHOLD"] = 3
        capped = run(backend, "壁垒")  # four matches
        assert (capped.total, capped.total_relation, capped.total_display) == (3, "gte", "3+")
        assert len(run(backend, "壁垒", per_page=10).hits) == 4  # the hits are not capped, only the count
        exact = run(backend, "整改")  # three matches
        assert (exact.total, exact.total_relation, exact.total_display) == (3, "eq", "3")
        listing = run(backend, "")
        assert (listing.total, listing.total_relation) == (3, "gte")
        assert capped.as_dict()["total_display"] == "3+"

    def test_facets_are_exact_up_to_the_sample_size(self, backend):
        backend.rebuild([dict(d) for d in MANY])
        backend.params["FACET_SAMPLE_SIZE"] = 300
        result = run(backend, "排查")
        assert not result.facets_sampled
        assert result.facets["type"] == {"case": 100, "policy": 100, "bulletin": 100}
        assert result.facets["region"] == {"甲县": 150, "乙区": 150}

    def test_facets_beyond_the_sample_size_come_from_the_same_sample_everywhere(self, backend):
        backend.rebuild([dict(d) for d in MANY])
        backend.params["FACET_SAMPLE_SIZE"] = 60
        result = run(backend, "排查", filters={"region": "甲县"})  # 150 matches
        cut = sample_cut(150, "eq", 300, 60)
        assert result.facets_sampled and cut == SAMPLE_BUCKETS * 60 // 150
        sample = [d for d in MANY if d["region"] == "甲县" and sample_key(d["id"]) < cut]
        expected = {}
        for d in sample:
            expected[d["type"]] = expected.get(d["type"], 0) + 1
        assert result.facets["type"] == scaled_facets({"type": expected}, cut)["type"]
        assert 75 <= sum(result.facets["type"].values()) <= 225  # an estimate of the 150 matches
        assert result.total == 150 and result.total_relation == "eq"

    @pytest.mark.parametrize("q", ["市场准入", "我们公司去外县投标被要求先在当地注册分公司"])
    @pytest.mark.parametrize("sample_size", [1000, 40])
    @pytest.mark.parametrize("threshold", [None, 200])  # 200: under the 300 documents, over the matches
    def test_facets_count_the_matches_the_hits_come_from(self, backend, q, sample_size, threshold):
        """A backend may count facets with a cheaper query than the ranked one (without what only scores:
        phrases, proximity; a sentence's units narrowed to the sample), but it must count the same matches:
        here documents holding a keyword's bigrams apart (a match, not a phrase) and sentences sharing only
        some of a query's units."""
        texts = ("外地企业投标被要求先在当地注册分公司，否则不得参加市场准入。",  # both queries, in order
                 "市场开放后场准备就绪，准入许可随后发放。",  # 市场 场准 准入 apart: the keyword, no phrase
                 "公司去年投标两次。", "无关的通知内容。")
        docs = [dict(d, text=texts[i % 4] + f"第{i}号。") for i, d in enumerate(MANY)]
        backend.rebuild(docs)
        backend.params["FACET_SAMPLE_SIZE"] = sample_size
        if threshold:  # a capped total is possible: a backend may start a facet pass for it before the count
            backend.params["TOTAL_HITS_THRESHOLD"] = threshold
        plan = plan_query(q)
        ids = {h.id for h in backend.search(plan, per_page=len(docs), facets=()).hits}
        assert 0 < len(ids) < len(docs)
        result = backend.search(plan)
        assert result.total == len(ids)
        cut = sample_cut(len(ids), "eq", len(docs), sample_size)
        if plan.optional and not result.facets_sampled:
            cut = None  # a sentence query's facets may be exact at any size (embedded: counted beside the top-k)
        assert result.facets_sampled is (cut is not None)
        counted = [d for d in docs if d["id"] in ids and (cut is None or sample_key(d["id"]) < cut)]
        for name in ("type", "region"):
            expected = {}
            for d in counted:
                expected[d[name]] = expected.get(d[name], 0) + 1
            assert result.facets[name] == scaled_facets({name: expected}, cut)[name]

    def test_a_capped_total_sizes_the_sample_on_the_whole_index(self, backend):
        backend.rebuild([dict(d) for d in MANY])
        backend.params.update(TOTAL_HITS_THRESHOLD=100, FACET_SAMPLE_SIZE=60)
        result = run(backend, "")
        assert (result.total, result.total_relation, result.facets_sampled) == (100, "gte", True)
        cut = sample_cut(100, "gte", 300, 60)  # sized on the 300 documents the capped total may hide
        sample = [d for d in MANY if sample_key(d["id"]) < cut]
        regions = {r: sum(1 for d in sample if d["region"] == r) for r in ("甲县", "乙区")}
        assert result.facets["region"] == scaled_facets({"region": regions}, cut)["region"]

    def test_reconcile_streams_in_chunks(self, backend):
        index_side = [dict(d) for d in MANY[:40]] + [dict(MANY[40], id="case:gone", checksum="x")]
        index_side[5]["checksum"] = "stale"
        backend.rebuild(index_side)
        database = [dict(d) for d in MANY[:45]]  # 0..39 indexed (5 stale), 40..44 missing, case:gone orphaned
        stats = indexing.reconcile(backend, iter(database), chunk=7)
        assert stats == {"documents": 45, "missing": 5, "stale": 1, "orphans": 1}
        assert backend.checksums() == {d["id"]: d["checksum"] for d in database}
        assert indexing.reconcile(backend, iter(database), chunk=7) == {
            "documents": 45, "missing": 0, "stale": 0, "orphans": 0}

    def test_checksums_of_and_iter_ids(self, backend):
        backend.rebuild([dict(d) for d in MANY])
        assert backend.checksums_of(["case:1", "case:299", "nope"]) == {"case:1": "c1", "case:299": "c299"}
        chunks = list(backend.iter_ids(50))
        assert sorted(i for c in chunks for i in c) == sorted(d["id"] for d in MANY)
        assert len(chunks) > 1 and max(len(c) for c in chunks) <= 200


class TestEmbedded(BoundedContract):
    generations = staticmethod(directory_generations)

    @pytest.fixture
    def backend(self, embedded_backend):
        return embedded_backend


class TestSqliteFts(BoundedContract):
    @pytest.fixture
    def backend(self, fts_backend):
        return fts_backend


class TestElasticsearch(BoundedContract):
    @pytest.fixture
    def backend(self, es_backend):
        return es_backend


def test_the_threshold_reaches_the_api_as_10000_plus(client, db, search_settings):
    """The API says how the total is meant: "gte" and a display string the portal shows as "3+ 条"."""
    from zhunru.search.backends import get_backend

    search_settings(TOTAL_HITS_THRESHOLD=3)
    get_backend().rebuild([dict(d) for d in DOCS])
    data = client.get("/api/v1/search/", {"q": "壁垒"}).json()
    assert (data["total"], data["total_relation"], data["total_display"]) == (3, "gte", "3+")
    assert data["facets_sampled"] is False and len(data["hits"]) == 4


def test_an_index_from_an_older_release_asks_for_a_rebuild(embedded_backend):
    """The sample key is a new field: an embedded index written before it says to rebuild, and a rebuild works."""
    import tantivy

    from zhunru.search.backends import SearchUnavailable

    old = embedded_backend.root / "index-old"
    old.mkdir()
    schema = tantivy.SchemaBuilder()
    schema.add_text_field("id", stored=True)
    tantivy.Index(schema.build(), path=str(old))
    embedded_backend._set_current(old)
    with pytest.raises(SearchUnavailable, match="rebuild_search_index"):
        run(embedded_backend, "壁垒")
    embedded_backend.rebuild([dict(d) for d in DOCS])
    assert run(embedded_backend, "壁垒").total == 4
