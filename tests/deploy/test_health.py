import json
import logging

import pytest
from django.test import override_settings

from deploy.logging import JsonFormatter, RequestIdFilter
from zhunru import health


def test_healthz_answers_without_touching_any_service(client):
    # No `db` fixture: pytest-django fails the test if the view touches the database.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_reports_each_part(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "redis", "search"}
    assert all(part["ok"] for part in body["checks"].values())


@pytest.mark.django_db
def test_readyz_names_a_stopped_redis(client, private_redis):
    # Given a Redis server that answers
    with override_settings(REDIS_URL=private_redis.url):
        assert client.get("/readyz").status_code == 200
        # When it stops
        private_redis.stop()
        response = client.get("/readyz")
    # Then the web process stays ready (every page still answers without Redis) and the probe names redis,
    # and only redis, as degraded, with what that costs
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["redis"] and body["failing"] == []
    assert "redis" in body["message"] and "不可用" in body["message"] and "补发" in body["message"]
    assert body["checks"]["redis"]["ok"] is False and "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["search"]["ok"]


def test_a_required_part_still_fails_readiness_and_workers_still_need_redis():
    ok, body = health.run_checks({"database": lambda: {"ok": False}, "redis": lambda: {"ok": False}},
                                 degradable=health.DEGRADABLE)
    assert not ok and body["failing"] == ["database"] and body["degraded"] == ["redis"]
    # deploy/healthcheck.py services (workers, scheduler) names nothing degradable: without Redis they fail.
    ok, body = health.run_checks({"database": lambda: {"ok": True}, "redis": lambda: {"ok": False}})
    assert not ok and body["failing"] == ["redis"]


def test_a_check_that_raises_is_named_not_propagated():
    def broken():
        raise OSError("磁盘不可用")

    ok, body = health.run_checks({"fine": lambda: {"ok": True}, "search": broken,
                                  "reports": lambda: {"ok": False, "error": "index missing"}})
    assert not ok
    assert body["failing"] == ["search", "reports"]
    assert "磁盘不可用" in body["checks"]["search"]["error"]


def test_search_fallback_checks_the_index_directory(tmp_path, settings):
    settings.ZHUNRU_SEARCH = {"URL": "", "PATH": str(tmp_path / "idx")}
    assert health._check_search_settings()["ok"]
    assert (tmp_path / "idx").is_dir()


@pytest.mark.django_db
def test_degraded_readyz_logs_json_with_the_request_id(client, private_redis):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = records.append
    logger = logging.getLogger("zhunru.health")
    logger.addHandler(handler)
    try:
        private_redis.stop()
        with override_settings(REDIS_URL=private_redis.url):
            response = client.get("/readyz", HTTP_X_REQUEST_ID="probe-42")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response["X-Request-ID"] == "probe-42"
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "probe-42"
    assert line["level"] == "WARNING" and "redis" in line["message"] and "degraded" in line["message"]
    assert line["checks"]["redis"]["ok"] is False


def test_a_check_that_hangs_is_named_as_timed_out():
    import threading

    release = threading.Event()
    ok, body = health.run_checks({"fine": lambda: {"ok": True}, "search": lambda: {"ok": release.wait(5)}},
                                 timeout=0.2)
    release.set()
    assert not ok and body["failing"] == ["search"]
    assert "超时" in body["checks"]["search"]["error"] and body["checks"]["fine"]["ok"]
