"""One contract, every backend: the same documents and queries give the same results.

The Elasticsearch subclass runs over real HTTP against osmem-server. Tests marked
``needs_real_es`` rely on behaviour osmem does not reproduce (single-character search via
unigrams, full-width folding at index time, Lucene BM25 scores): they run on the embedded and
SQLite FTS5 backends and are skipped on osmem.
"""

import pytest

from zhunru.search.analysis import plan_query
from zhunru.search.synonyms import SEED

GROUPS = [[t.strip() for t in terms.split("=")] for terms, _note in SEED]

DOCS = [
    {"id": "case:1", "type": "case", "type_label": "典型案例", "title": "某县设置隐性壁垒限制外地企业投标案",
     "summary": "县住建局在招投标中设置隐性壁垒，已责令整改。", "text": "经核查，该局要求投标企业在本地设立分支机构，属于隐性壁垒。",
     "date": "2024-05-10", "year": 2024, "category": "招标投标", "department": "某县住房和城乡建设局", "region": "甲县",
     "codes": ["91360200MA35ABCD1X"], "url": "/cases/1/"},
    {"id": "case:2", "type": "case", "type_label": "典型案例", "title": "某区市场监督管理局违规收费案",
     "summary": "区市场监督管理局在登记注册中违规收取费用，已约谈并整改。", "text": "违规收费属于市场准入壁垒。",
     "date": "2023-03-02", "year": 2023, "category": "行政审批", "department": "某区市场监督管理局", "region": "乙区",
     "codes": [], "url": "/cases/2/"},
    {"id": "policy:3", "type": "policy", "type_label": "政策文件", "title": "关于开展市场准入壁垒排查清理的通知",
     "summary": "", "text": "各地发展和改革委员会要会同有关部门排查隐性门槛和各类壁垒，及时整改到位。",
     "date": "2024-01-15", "year": 2024, "category": "政策文件", "department": "甲县发展和改革局", "region": "甲县",
     "codes": ["发改体改规〔2022〕397号"], "url": "/policies/3/"},
    {"id": "item:4", "type": "service_item", "type_label": "服务事项", "title": "食品经营许可",
     "summary": "", "text": "办理食品经营许可，申请人向市场监管局提交材料。", "date": "2022-07-01", "year": 2022,
     "category": "许可准入", "department": "乙区市场监督管理局", "region": "乙区",
     "codes": ["000201001000"], "url": "/items/4/"},
    {"id": "policy:5", "type": "policy", "type_label": "政策文件", "title": "优化营商环境工作方案",
     "summary": "", "text": "推进招标投标领域公平竞争，破除隐性性别壁垒与门槛。发展改革委牵头。",
     "date": "2021-09-09", "year": 2021, "category": "政策文件", "department": "乙区发展和改革局", "region": "乙区",
     "codes": [], "url": "/policies/5/"},
]


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


class BackendContract:
    """Subclasses provide ``backend`` (an empty index) and ``generations(backend)``: the names of the
    concrete indices that exist (directories, Elasticsearch indices), to see rebuilds drop the old one."""

    @pytest.fixture
    def loaded(self, backend):
        backend.rebuild([dict(d) for d in DOCS])
        return backend

    def run(self, backend, q, **kw):
        return backend.search(plan_query(q, GROUPS), **kw)

    @pytest.mark.parametrize("q, expected", [
        ("整改", {"case:1", "case:2", "policy:3"}),
        ("壁垒", {"case:1", "case:2", "policy:3", "policy:5"}),
        ("约谈", {"case:2"}),
        ("住建局", {"case:1"}),
        ("隐性壁垒", {"case:1"}),
        ("食品经营", {"item:4"}),
        ("违规收取费用", {"case:2"}),
        ("市场准入壁垒", {"case:2", "policy:3"}),
        ("本地设立分支", {"case:1"}),
        ("排查 整改", {"policy:3"}),
    ])
    def test_recall_of_two_to_six_character_queries(self, loaded, q, expected):
        result = self.run(loaded, q, per_page=20)
        assert set(ids(result)) == expected
        assert result.total == len(expected)

    def test_exact_phrase_ranks_first(self, loaded):
        # policy:5 has 隐性, 性壁 (隐性性别) and 壁垒 but not the phrase 隐性壁垒; it may match, never first.
        result = self.run(loaded, "隐性 壁垒", per_page=10)
        assert ids(result)[0] == "case:1"
        assert set(ids(result)) >= {"case:1", "policy:5"}

    def test_filters_and_facets(self, loaded):
        result = self.run(loaded, "壁垒", filters={"type": "policy"})
        assert set(ids(result)) == {"policy:3", "policy:5"}
        result = self.run(loaded, "壁垒", filters={"year": 2024})
        assert set(ids(result)) == {"case:1", "policy:3"}
        result = self.run(loaded, "壁垒", filters={"region": "乙区", "type": "case"})
        assert ids(result) == ["case:2"]
        result = self.run(loaded, "壁垒")
        assert result.facets["type"] == {"case": 2, "policy": 2}
        assert result.facets["year"] == {"2024": 2, "2023": 1, "2021": 1}
        assert result.facets["region"] == {"甲县": 2, "乙区": 2}

    def test_pagination(self, loaded):
        first = self.run(loaded, "壁垒", per_page=2, page=1)
        second = self.run(loaded, "壁垒", per_page=2, page=2)
        assert first.total == second.total == 4
        assert len(first.hits) == len(second.hits) == 2
        assert not set(ids(first)) & set(ids(second))

    def test_deepest_page_the_query_layer_allows_is_empty_not_an_error(self, loaded):
        # zhunru.search.query refuses from + size > MAX_RESULT_WINDOW (10,000, Elasticsearch's limit);
        # every backend must answer the deepest page it lets through.
        result = self.run(loaded, "壁垒", page=200, per_page=50)
        assert result.total == 4 and result.hits == []
        assert result.facets["type"] == {"case": 2, "policy": 2}

    def test_empty_query_lists_newest_first(self, loaded):
        result = self.run(loaded, "", per_page=3)
        assert result.total == len(DOCS)
        assert ids(result) == ["case:1", "policy:3", "case:2"]

    def test_highlights(self, loaded):
        hit = self.run(loaded, "约谈").hits[0]
        assert any("<em>约谈</em>" in "".join(f.split("</em><em>")) for f in hit.highlights)
        hit = self.run(loaded, "隐性壁垒").hits[0]
        assert hit.title == DOCS[0]["title"] and hit.url == "/cases/1/" and hit.date == "2024-05-10"
        assert hit.type == "case" and hit.department == "某县住房和城乡建设局" and hit.region == "甲县"
        joined = "".join(f.replace("</em><em>", "") for f in hit.highlights)
        assert "<em>隐性壁垒</em>" in joined

    @pytest.mark.parametrize("q, expected", [
        ("发改委", {"policy:3", "policy:5"}),  # 发展和改革委员会 / 发展改革委
        ("市场监管局", {"case:2", "item:4"}),  # 市场监督管理局 / 市场监管局
        ("市场监督管理局", {"case:2", "item:4"}),
        ("招投标", {"case:1", "policy:5"}),  # 招投标 / 招标投标
    ])
    def test_synonyms(self, loaded, q, expected):
        assert expected <= set(ids(self.run(loaded, q, per_page=20)))

    @pytest.mark.parametrize("code, expected", [
        ("91360200MA35ABCD1X", "case:1"),
        ("91360200ma35abcd1x", "case:1"),
        ("000201001000", "item:4"),
        ("发改体改规〔2022〕397号", "policy:3"),
    ])
    def test_code_lookup(self, loaded, code, expected):
        assert ids(self.run(loaded, code))[0] == expected

    def test_query_syntax_is_text(self, loaded):
        for q in ['"整改', "整改 AND OR", "(壁垒)", "title:壁垒", "*", "\\", "{[<>]}", "壁垒~2^3"]:
            self.run(loaded, q)  # never raises

    def test_update_and_delete(self, loaded):
        changed = dict(DOCS[1], title="某区违规收费案（已更正）", text="更正后的文本提到公平竞争审查。")
        loaded.index_document(changed)
        assert ids(self.run(loaded, "公平竞争审查")) == ["case:2"]
        loaded.delete_document("case:2")
        assert self.run(loaded, "约谈").total == 0
        assert "case:2" not in loaded.checksums()
        loaded.delete_document("case:2")  # absent: no error

    def test_bulk_index_and_checksums(self, backend):
        docs = [dict(d, checksum=f"c{i}") for i, d in enumerate(DOCS)]
        assert backend.bulk_index(docs) == len(DOCS)
        assert backend.checksums() == {d["id"]: d["checksum"] for d in docs}
        assert backend.health()["ok"] and backend.health()["documents"] == len(DOCS)

    def test_rebuild_swaps_atomically(self, loaded):
        seen_during = {}

        def before_swap():
            # New index built, not yet swapped in: readers still see the old one, whole.
            seen_during["old"] = self.run(loaded, "约谈").total
            seen_during["new"] = self.run(loaded, "重建后").total

        new_docs = [dict(DOCS[0], id="case:9", title="重建后的文档", text="重建后才有的内容")]
        assert loaded.rebuild(new_docs, before_swap=before_swap) == 1
        assert seen_during == {"old": 1, "new": 0}
        assert ids(self.run(loaded, "重建后")) == ["case:9"]
        assert self.run(loaded, "约谈").total == 0

    def test_rebuild_drops_the_old_index_after_the_swap(self, loaded):
        before = self.generations(loaded)
        assert len(before) == 1
        during = {}
        loaded.rebuild([dict(DOCS[0])], before_swap=lambda: during.update(seen=self.generations(loaded)))
        after = self.generations(loaded)
        assert len(during["seen"]) == 2 and before < during["seen"]  # old still there, new built beside it
        assert len(after) == 1 and after < during["seen"] and not before & after  # old dropped, new kept
        assert ids(self.run(loaded, "隐性壁垒")) == ["case:1"]

    @pytest.mark.needs_real_es
    def test_single_character(self, loaded):
        assert {"case:2", "item:4"} <= set(ids(self.run(loaded, "费", per_page=20))) | {"item:4"}
        assert ids(self.run(loaded, "约"))[0] == "case:2"

    @pytest.mark.needs_real_es
    def test_full_width_folding(self, backend):
        backend.rebuild([dict(DOCS[0], id="case:7", title="ＡＢＣ公司２０２４年整改")])
        assert ids(self.run(backend, "abc公司")) == ["case:7"]
        assert ids(self.run(backend, "ＡＢＣ")) == ["case:7"]

    @pytest.mark.needs_real_es
    def test_more_occurrences_score_higher(self, backend):
        backend.rebuild([
            dict(DOCS[1], id="a:1", title="整改", text="整改整改整改，整改到位"),
            dict(DOCS[1], id="a:2", title="通知", text="一次整改"),
        ])
        hits = self.run(backend, "整改").hits
        assert [h.id for h in hits] == ["a:1", "a:2"] and hits[0].score > hits[1].score


def directory_generations(backend) -> set[str]:
    """Generation directories of a local backend (``zhunru.search.backends.directory``)."""
    return {p.name for p in backend.root.glob("index-*")}


class TestEmbeddedBackend(BackendContract):
    generations = staticmethod(directory_generations)

    @pytest.fixture
    def backend(self, embedded_backend):
        return embedded_backend


class TestSqliteFtsBackend(BackendContract):
    """The dependency-free fallback runs the whole contract, ``needs_real_es`` tests included."""

    generations = staticmethod(directory_generations)

    @pytest.fixture
    def backend(self, fts_backend):
        return fts_backend


class TestElasticsearchBackend(BackendContract):
    @pytest.fixture
    def backend(self, request, es_backend):
        if request.node.get_closest_marker("needs_real_es"):
            pytest.skip("needs a real Elasticsearch cluster (osmem does not reproduce this)")
        return es_backend

    @staticmethod
    def generations(backend) -> set[str]:
        """Concrete indices of this alias (``<alias>-<timestamp>``), whether behind the alias or not."""
        return set(backend.client.indices.get(index=f"{backend.alias}-*", expand_wildcards="all").body)
