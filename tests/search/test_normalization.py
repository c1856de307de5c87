"""Normalisation (issue 21, item 2): the same on documents and queries, before tokens, synonyms and codes."""

import pytest

from zhunru.search.analysis import normalize, normalize_code, plan_query, tokenize
from zhunru.search.backends.base import stored_hit


def test_normalize_folds_width_removes_invisible_characters_and_simplifies():
    assert normalize("发改\u200b委") == "发改委"
    assert normalize("\ufeff发\u200d改\u2060委\u00ad") == "发改委"
    assert normalize("整改\x00\x07到位") == "整改到位"
    assert normalize("整改\t到位\n") == "整改 到位 "
    assert normalize("ＡＢＣ公司２０２４") == "abc公司2024"
    assert normalize("發展和改革委員會關於市場準入壁壘") == "发展和改革委员会关于市场准入壁垒"


def test_tokens_of_a_word_split_by_a_zero_width_space_are_the_word_s():
    assert tokenize("发改\u200b委") == tokenize("发改委") == ["发改", "改委"]
    assert tokenize("發改委") == ["发改", "改委"]


def test_codes_are_detected_after_normalisation():
    # Full-width digits and letters: a code once folded (detection used to run on the unfolded text).
    assert plan_query("９１３６０２００ＭＡ３５ＡＢＣＤ１Ｘ").terms[0].code == "91360200MA35ABCD1X"
    assert plan_query("０００２０１００１０００").terms[0].code == "000201001000"
    assert plan_query("000201\u200b001000").terms[0].code == "000201001000"
    assert normalize_code("發改體改規〔2022〕397號") == normalize_code("发改体改规〔2022〕397号")


def test_invisible_only_query_is_empty():
    assert plan_query("\u200b\u200c\ufeff").empty
    assert plan_query("\x00\x01").empty


DOC = {"id": "case:1", "type": "case", "type_label": "典型案例", "title": "某市發展改革委清理隱性壁壘",
       "summary": "", "text": "发改\u200b委会同市场监管局，ＡＢＣ公司反映的问题已整改。", "date": "2024-05-10",
       "year": 2024, "category": "招标投标", "department": "某市发展和改革委员会", "region": "甲县",
       "codes": ["９１３６０２００ＭＡ３５ＡＢＣＤ１Ｘ"], "url": "/cases/1/"}


@pytest.fixture(params=["embedded_backend", "fts_backend", "es_backend"])
def loaded(request):
    backend = request.getfixturevalue(request.param)
    backend.rebuild([dict(DOC)])
    return backend


@pytest.mark.parametrize("q", ["发改委", "发改\u200b委", "發改委", "隐性壁垒", "隱性壁壘", "abc公司", "ＡＢＣ公司",
                               "91360200MA35ABCD1X", "９１３６０２００ＭＡ３５ＡＢＣＤ１Ｘ", "91360200ma35abcd1x"])
def test_every_backend_finds_the_normalised_forms(loaded, q):
    assert [h.id for h in loaded.search(plan_query(q)).hits] == ["case:1"]


def test_highlighting_still_uses_the_displayed_text(loaded):
    hit = loaded.search(plan_query("整改")).hits[0]
    assert hit.title == DOC["title"]
    assert any("<em>整改</em>" in f for f in hit.highlights)
    assert stored_hit(dict(DOC), plan_query("整改"), 1.0).highlights == hit.highlights
