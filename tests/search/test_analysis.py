"""Analysis and mappings: the bigram tokenizer, query plans, and a static check of the ES mappings."""

from zhunru.search.analysis import expand, plan_query, tokenize
from zhunru.search.backends.elasticsearch import (
    BUILTIN_FILTERS,
    BUILTIN_TOKENIZERS,
    analysis_settings,
    mappings,
)


def test_cjk_bigrams_and_words():
    assert tokenize("隐性壁垒") == ["隐性", "性壁", "壁垒"]
    assert tokenize("整") == ["整"]
    assert tokenize("ＡＢＣ公司2024") == ["abc", "公司", "2024"]


def test_synonym_expansion_replaces_inside_longer_terms():
    groups = [["发改委", "发展改革委", "发展和改革委员会"]]
    assert expand("区发改委", groups) == ["区发改委", "区发展改革委", "区发展和改革委员会"]
    assert plan_query("\"( 约谈").terms[0].raw == "约谈"
    assert plan_query("91360200MA35ABCD1X").terms[0].code == "91360200MA35ABCD1X"


def _analyzers_in(props: dict):
    for spec in props.values():
        for key in ("analyzer", "search_analyzer"):
            if key in spec:
                yield spec[key]
        yield from _analyzers_in(spec.get("fields", {}))
        yield from _analyzers_in(spec.get("properties", {}))


def test_mappings_use_only_built_in_analysis():
    """No plugin is required: custom analyzers are built from built-in parts, set on each text field."""
    analysis = analysis_settings()["analysis"]
    assert "default" not in analysis["analyzer"]  # osmem ignores an index-level default; we never rely on one
    for analyzer in analysis["analyzer"].values():
        assert analyzer["tokenizer"] in BUILTIN_TOKENIZERS
        assert set(analyzer["filter"]) <= BUILTIN_FILTERS
    used = set(_analyzers_in(mappings()["properties"]))
    assert used and used <= set(analysis["analyzer"])
    text_fields = [s for s in mappings()["properties"].values() if s["type"] == "text"]
    assert all("analyzer" in s for s in text_fields)
