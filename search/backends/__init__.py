"""Search backends, chosen by dotted path in ``ZHUNRU_SEARCH["BACKEND"]`` (embedded Tantivy by default)."""

import threading

from django.utils.module_loading import import_string

from zhunru.search import conf
from zhunru.search.backends.base import SearchBackend, SearchRejected, SearchUnavailable

__all__ = ["SearchBackend", "SearchRejected", "SearchUnavailable", "get_backend", "reset_backend"]

_lock = threading.Lock()
_cache: dict[tuple, SearchBackend] = {}


def get_backend(**overrides) -> SearchBackend:
    """The configured backend (one instance per configuration and process)."""
    params = conf.search_settings()
    params.update({k.upper(): v for k, v in overrides.items()})
    key = tuple(sorted((k, str(v)) for k, v in params.items()))
    with _lock:
        if key not in _cache:
            _cache[key] = import_string(params["BACKEND"])(params)
        return _cache[key]


def reset_backend() -> None:
    """Forget cached backends (tests switch settings)."""
    with _lock:
        for backend in _cache.values():
            backend.close()
        _cache.clear()
