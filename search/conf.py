"""Settings of the search plugin, read from ``settings.ZHUNRU_SEARCH`` with working defaults."""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

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
    # Bounded work per query: totals exact up to this many matches, then shown as "10000+".
    "TOTAL_HITS_THRESHOLD": 10_000,
    # Facets counted over every match up to this many, then over a sample of about this size (estimates).
    "FACET_SAMPLE_SIZE": 5_000,
    # Optional word segmentation (rjieba, `pip install zhunru[words]`): a field of dictionary words whose whole-word
    # matches raise a score; bigrams still decide what matches. Switching it needs `manage.py rebuild_search_index`.
    "SEGMENTATION": False,
}


# Settings that must be whole numbers; a value that is not falls back to its default (check E004 names it).
INTEGER_KEYS = ("TIMEOUT", "MAX_QUERY_LENGTH", "MAX_PER_PAGE", "MAX_RESULT_WINDOW", "LOCK_TIMEOUT",
                "TOTAL_HITS_THRESHOLD", "FACET_SAMPLE_SIZE")


def configured() -> dict:
    """ZHUNRU_SEARCH as the host wrote it; anything but a dict counts as unset (check E004 names it)."""
    value = getattr(settings, "ZHUNRU_SEARCH", None) or {}
    return value if isinstance(value, dict) else {}


def problems() -> list[str]:
    """What is wrong with ZHUNRU_SEARCH's shape and values, in Chinese (for the system check)."""
    value = getattr(settings, "ZHUNRU_SEARCH", None) or {}
    if not isinstance(value, dict):
        return [_("ZHUNRU_SEARCH 应为字典（dict），当前为 {name__}：已按默认设置运行。").format(name__=type(value).__name__)]
    found = []
    for key in INTEGER_KEYS:
        if key in value and not _is_integer(value[key]):
            found.append(_("ZHUNRU_SEARCH['{key}'] 应为整数，当前为 {value!r}：已按默认值 {value2} 运行。").format(key=key, value=value[key], value2=DEFAULTS[key]))
    return found


# Keys a backend reads beside DEFAULTS' (passed through as written).
OPTIONAL_KEYS = ("CLIENT_OPTIONS",)


def unknown_keys() -> list[str]:
    """Keys of ZHUNRU_SEARCH no part of the plugin reads (a typo, for the system check)."""
    return sorted(str(k) for k in configured() if k not in DEFAULTS and k not in OPTIONAL_KEYS)


def _is_integer(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


def search_settings() -> dict:
    """The effective ZHUNRU_SEARCH dict (defaults filled in; a bad value falls back to its default)."""
    merged = dict(DEFAULTS)
    merged.update(configured())
    for key in INTEGER_KEYS:
        merged[key] = int(merged[key]) if _is_integer(merged[key]) else DEFAULTS[key]
    if not merged["PATH"]:
        merged["PATH"] = str(Path(getattr(settings, "VAR_DIR", "var")) / "search-index")
    return merged


def get(name: str):
    return search_settings()[name]
