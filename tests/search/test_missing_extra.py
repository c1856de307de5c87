"""Without the `es` extra, an Elasticsearch configuration switches itself off: the embedded index serves and a
system check says what to install (issue 17, item 6)."""

import sys

from zhunru.search.backends import get_backend, reset_backend
from zhunru.search.backends.embedded import EmbeddedBackend
from zhunru.search.checks import check_search_settings

ES = "zhunru.search.backends.elasticsearch.ElasticsearchBackend"


def test_a_missing_client_library_falls_back_and_is_named(settings, monkeypatch, tmp_path):
    settings.ZHUNRU_SEARCH = {"BACKEND": ES, "URL": "http://127.0.0.1:9", "PATH": str(tmp_path)}
    monkeypatch.setitem(sys.modules, "elasticsearch", None)  # as if `zhunru[es]` were not installed
    reset_backend()
    try:
        assert isinstance(get_backend(), EmbeddedBackend)
        [warning] = [m for m in check_search_settings() if m.id == "zhunru_search.W002"]
        assert "elasticsearch" in warning.msg and "zhunru[es]" in warning.hint
    finally:
        reset_backend()


def test_with_the_library_installed_nothing_is_said(settings, tmp_path):
    settings.ZHUNRU_SEARCH = {"BACKEND": ES, "URL": "http://127.0.0.1:9", "PATH": str(tmp_path)}
    assert not [m for m in check_search_settings() if m.id == "zhunru_search.W002"]
