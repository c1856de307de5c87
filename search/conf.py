"""Settings of the search plugin, read from ``settings.ZHUNRU_SEARCH`` with working defaults."""

from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "BACKEND": "zhunru.search.backends.embedded.EmbeddedBackend",
    "URL": "",
    "INDEX": "zhunru",
    "PATH": "",
    "TIMEOUT": 10,
    "MAX_QUERY_LENGTH": 100,
    "MAX_PER_PAGE": 50,
    # Deepest result a query may ask for: Elasticsearch's index.max_result_window (from + size).
    "MAX_RESULT_WINDOW": 10_000,
    "LOCK_TIMEOUT": 60,
}


def search_settings() -> dict:
    """The effective ZHUNRU_SEARCH dict (defaults filled in)."""
    merged = dict(DEFAULTS)
    merged.update(getattr(settings, "ZHUNRU_SEARCH", {}) or {})
    if not merged["PATH"]:
        merged["PATH"] = str(Path(getattr(settings, "VAR_DIR", "var")) / "search-index")
    return merged


def get(name: str):
    return search_settings()[name]
