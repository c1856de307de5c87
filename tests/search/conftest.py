"""Search fixtures: embedded and SQLite FTS5 indexes in temporary directories, and osmem-server over real HTTP.

osmem-server (an in-memory OpenSearch-compatible server) stands in for Elasticsearch in tests.
The elasticsearch 9.x client sends ``application/vnd.elasticsearch+json; compatible-with=9``,
which osmem answers with 406; :class:`PlainJsonNode` sends plain ``application/json`` instead.
That adaptation lives here, in the tests, never in production code.
"""

import os
import socket
import uuid

import pytest
from elastic_transport import Urllib3HttpNode

IN_CI = os.environ.get("CI") == "true"


class PlainJsonNode(Urllib3HttpNode):
    """Transport node for osmem: plain JSON media types instead of Elasticsearch's compatibility ones."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        headers = dict(headers or {})
        for key in list(headers):
            if key.lower() in ("accept", "content-type"):
                headers[key] = "application/json"
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OsmemProcess:
    """An osmem-server on a fixed free port that a test may stop and start again (an outage)."""

    def __init__(self):
        self.port = free_port()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OsmemProcess":
        from osmem_server import OsmemServer

        self.server = OsmemServer.start(addr=f"127.0.0.1:{self.port}", japanese=False)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.close(grace=2)
            self.server = None


def start_osmem() -> OsmemProcess:
    """Start osmem, or skip (locally) / fail (CI=true) when it cannot run."""
    try:
        return OsmemProcess().start()
    except Exception as exc:  # ImportError, OsmemError, no binary for this platform
        if IN_CI:
            pytest.fail(f"osmem-server is required in CI: {exc}")
        pytest.skip(f"osmem-server unavailable: {exc}")


@pytest.fixture(scope="session")
def osmem():
    proc = start_osmem()
    yield proc
    proc.stop()


def es_params(url: str, index: str | None = None) -> dict:
    return {
        "BACKEND": "zhunru.search.backends.elasticsearch.ElasticsearchBackend",
        "URL": url,
        "INDEX": index or f"t{uuid.uuid4().hex[:12]}",
        "TIMEOUT": 5,
        "CLIENT_OPTIONS": {"node_class": PlainJsonNode, "max_retries": 0, "retry_on_timeout": False},
    }


@pytest.fixture
def embedded_backend(tmp_path):
    from zhunru.search.backends.embedded import EmbeddedBackend

    return EmbeddedBackend({"PATH": str(tmp_path / "index"), "LOCK_TIMEOUT": 5})


@pytest.fixture
def fts_backend(tmp_path):
    from zhunru.search.backends.sqlite_fts import SqliteFtsBackend

    backend = SqliteFtsBackend({"PATH": str(tmp_path / "fts"), "LOCK_TIMEOUT": 5})
    yield backend
    backend.close()


@pytest.fixture
def es_backend(osmem):
    from zhunru.search.backends.elasticsearch import ElasticsearchBackend

    backend = ElasticsearchBackend(es_params(osmem.url))
    yield backend
    backend.close()


@pytest.fixture
def policy_tree(db, jurisdiction):
    """A portal root → jurisdiction home → policy index, to publish PolicyPages under."""
    from wagtail.models import Page

    from zhunru.models import JurisdictionHomePage, PolicyIndexPage

    root = Page.get_first_root_node()
    if root is None:  # transactional tests start from a flushed database
        from django.conf import settings
        from django.utils.translation import get_supported_language_variant
        from wagtail.models import Locale

        Locale.objects.get_or_create(language_code=get_supported_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = JurisdictionHomePage(title="测试区门户", slug=f"home-{uuid.uuid4().hex[:6]}", jurisdiction=jurisdiction)
    root.add_child(instance=home)
    index = PolicyIndexPage(title="政策文件", slug="policies")
    home.add_child(instance=index)
    return index


@pytest.fixture
def make_policy(policy_tree, jurisdiction):
    from zhunru.models import PolicyPage

    def make(title: str, body: str = "<p>正文</p>", publish: bool = True, **kwargs) -> PolicyPage:
        page = PolicyPage(title=title, slug=f"p-{uuid.uuid4().hex[:8]}", issuer="测试区发展和改革委员会",
                          body=body, department=jurisdiction.departments.first(), live=False, **kwargs)
        policy_tree.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        page.refresh_from_db()
        return page

    return make


@pytest.fixture
def search_settings(settings, tmp_path):
    """Point ZHUNRU_SEARCH at a fresh embedded index; yields a function to switch to another config."""
    from django.core.cache import cache

    from zhunru.search.backends import reset_backend

    def use(**params):
        settings.ZHUNRU_SEARCH = {"BACKEND": "zhunru.search.backends.embedded.EmbeddedBackend",
                                  "PATH": str(tmp_path / "index"), "LOCK_TIMEOUT": 5, **params}
        reset_backend()

    use()
    cache.clear()
    yield use
    reset_backend()
    cache.clear()


def drain(broker, worker, queue: str = "search", timeout_ms: int = 30_000) -> None:
    """Wait until ``queue`` is empty and the worker idle (stub broker or real Redis)."""
    from dramatiq.brokers.stub import StubBroker

    if isinstance(broker, StubBroker):
        broker.join(queue, fail_fast=True, timeout=timeout_ms)
    else:
        broker.join(queue, timeout=timeout_ms)
    worker.join()
