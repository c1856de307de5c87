"""Optional word segmentation (issue 21 item 1): with ``SEGMENTATION`` on, documents carry a field of dictionary
words (rjieba) and a query's whole words raise a score; bigrams still decide what matches. The same semantics on
the embedded backend and Elasticsearch (osmem)."""

import uuid

import pytest

from tests.search.conftest import es_params
from zhunru.search.analysis import plan_query, segmentation_available, words

pytestmark = pytest.mark.skipif(not segmentation_available(), reason="rjieba is not installed")

# 和平 is a word in the longer document and only two neighbouring characters (和 / 平时) in the shorter one:
# both match the bigram; without words the shorter ranks first (BM25 favours short fields).
DOCS = [
    {"id": "policy:1", "type": "policy", "title": "通知", "text": "我们大家都热爱和平，也珍惜眼前的安宁生活。",
     "checksum": "1"},
    {"id": "policy:2", "type": "policy", "title": "通知", "text": "他和平时一样。", "checksum": "2"},
    {"id": "policy:3", "type": "policy", "title": "通知", "text": "无关的内容。", "checksum": "3"},
]


def test_words_are_dictionary_words_of_the_normalised_text():
    assert words("我们公司去外县投标被要求先在当地注册分公司") == [
        "我们", "公司", "外县", "投标", "要求", "当地", "注册", "分公司"]
    assert words("他和平時一樣") == ["平时", "一样"]  # traditional to simplified first, like every token
    assert words("ABC 123") == []


@pytest.fixture(params=["embedded", "elasticsearch"])
def make_backend(request, tmp_path):
    made = []

    def make(segmentation: bool):
        if request.param == "embedded":
            from zhunru.search.backends.embedded import EmbeddedBackend

            backend = EmbeddedBackend({"PATH": str(tmp_path / f"index-{segmentation}"), "LOCK_TIMEOUT": 5,
                                       "SEGMENTATION": segmentation})
        else:
            from zhunru.search.backends.elasticsearch import ElasticsearchBackend

            osmem = request.getfixturevalue("osmem")
            backend = ElasticsearchBackend({**es_params(osmem.url, index=f"w{uuid.uuid4().hex[:10]}"),
                                            "SEGMENTATION": segmentation})
        made.append(backend)
        backend.rebuild([dict(d) for d in DOCS])
        return backend

    yield make
    for backend in made:
        close = getattr(backend, "close", None)
        if close:
            close()


def _ids(backend, q):
    return [hit.id for hit in backend.search(plan_query(q)).hits]


def test_whole_words_rank_first_and_change_no_match(make_backend):
    plain, segmented = make_backend(False), make_backend(True)
    assert _ids(plain, "和平") == ["policy:2", "policy:1"]  # the shorter field first: the test can fail
    assert _ids(segmented, "和平") == ["policy:1", "policy:2"]  # the whole word first
    for q in ("和平", "热爱和平的生活", "平时", "安宁", "无关"):  # keywords and a sentence: the same matches
        assert sorted(_ids(segmented, q)) == sorted(_ids(plain, q)), q


def test_segmentation_without_rjieba_is_named_and_changes_nothing(settings, monkeypatch, tmp_path):
    import sys

    from zhunru.search import analysis
    from zhunru.search.backends.embedded import EmbeddedBackend
    from zhunru.search.checks import check_search_settings

    settings.ZHUNRU_SEARCH = {"SEGMENTATION": True, "PATH": str(tmp_path)}
    assert not [m for m in check_search_settings() if m.id == "zhunru_search.W004"]
    monkeypatch.setitem(sys.modules, "rjieba", None)  # as if `zhunru[words]` were not installed
    analysis._segmenter.cache_clear()
    try:
        [warning] = [m for m in check_search_settings() if m.id == "zhunru_search.W004"]
        assert "rjieba" in warning.msg and "zhunru[words]" in warning.hint
        backend = EmbeddedBackend({"PATH": str(tmp_path / "index"), "SEGMENTATION": True})
        assert not backend.segmentation and analysis.words("我们热爱和平") == []
        backend.rebuild([dict(d) for d in DOCS])
        assert _ids(backend, "和平") == ["policy:2", "policy:1"]  # bigrams alone, as with segmentation off
    finally:
        analysis._segmenter.cache_clear()
