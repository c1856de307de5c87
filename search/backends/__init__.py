"""Search backends, chosen by dotted path in ``ZHUNRU_SEARCH["BACKEND"]`` (embedded Tantivy by default)."""

import threading

from django.utils.module_loading import import_string

from zhunru.search import conf
from zhunru.search.backends.base import SearchBackend, SearchRejected, SearchUnavailable

__all__ = ["SearchBackend", "SearchRejected", "SearchUnavailable", "get_backend", "reset_backend"]

_lock = threading.Lock()
_cache: dict[tuple, SearchBackend] = {}


def missing_library(backend_class) -> str | None:
    """The Python package a backend needs and this installation lacks (an extra not installed), or None."""
    from importlib.util import find_spec

    package = getattr(backend_class, "requires", None)
    if not package:
        return None
    try:
        return None if find_spec(package) is not None else package
    except (ImportError, ValueError):
        return package


def get_backend(**overrides) -> SearchBackend:
    """The configured backend (one instance per configuration and process). A backend whose library is not
    installed (``zhunru[es]``) switches itself off: the embedded index serves, and check W002 says so."""
    params = conf.search_settings()
    params.update({k.upper(): v for k, v in overrides.items()})
    if params["BACKEND"] != conf.DEFAULTS["BACKEND"] and missing_library(import_string(params["BACKEND"])):
        params["BACKEND"] = conf.DEFAULTS["BACKEND"]
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
