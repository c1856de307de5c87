"""The Elasticsearch backend's error mapping: what the cluster answers becomes a typed error, never a bare ApiError."""

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError, NotFoundError

from tests.search.conftest import es_params
from zhunru.search.backends import SearchRejected, SearchUnavailable
from zhunru.search.backends.elasticsearch import ElasticsearchBackend


def api_error(status: int, reason: str = "refused") -> ApiError:
    """The error elasticsearch-py raises for an HTTP ``status`` answer (its own subclass where it has one)."""
    from elasticsearch.exceptions import HTTP_EXCEPTIONS

    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0,
                           node=NodeConfig("http", "127.0.0.1", 9200))
    body = {"error": {"root_cause": [{"type": "illegal_argument_exception", "reason": reason}]}, "status": status}
    return HTTP_EXCEPTIONS.get(status, ApiError)(message=reason, meta=meta, body=body)


def raising(status: int):
    def call():
        raise api_error(status)

    return call


@pytest.fixture
def backend():
    return ElasticsearchBackend(es_params("http://127.0.0.1:9"))


@pytest.mark.parametrize("status", [400, 401, 403, 405, 406, 409, 413])
def test_unexpected_4xx_becomes_search_rejected(backend, status):
    with pytest.raises(SearchRejected) as info:
        backend._call(raising(status))
    assert info.value.status == status and f"HTTP {status}" in str(info.value)
    assert isinstance(info.value, SearchUnavailable)  # callers that survive an outage survive this


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_overload_and_server_errors_are_unavailable(backend, status):
    with pytest.raises(SearchUnavailable) as info:
        backend._call(raising(status))
    assert not isinstance(info.value, SearchRejected)


def test_not_found_passes_through_for_callers_to_handle(backend):
    with pytest.raises(NotFoundError):
        backend._call(raising(404))
