import json
import logging
import sys

import dramatiq

from deploy.logging import (
    JsonFormatter,
    MessageRequestIdMiddleware,
    RequestIdFilter,
    logging_config,
    request_id_var,
)


def test_request_id_is_made_and_returned(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_well_formed_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123.x")["X-Request-ID"] == "abc-123.x"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nInjected: 1")["X-Request-ID"]
    assert replaced != "bad id\nInjected: 1" and len(replaced) == 32


def test_json_formatter_writes_one_object_with_request_id_extras_and_traceback():
    token = request_id_var.set("rid-7")
    try:
        try:
            raise ValueError("坏数据")
        except ValueError:
            record = logging.LogRecord("zhunru.test", logging.ERROR, __file__, 1, "处理 %s 失败", ("线索",),
                                       sys.exc_info())
        record.lead_id = 12
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "处理 线索 失败"
    assert line["request_id"] == "rid-7" and line["lead_id"] == 12 and line["level"] == "ERROR"
    assert "ValueError: 坏数据" in line["exc_info"]
    assert line["time"].endswith("+00:00")


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    RequestIdFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "-"


def test_logging_config_is_accepted_by_dictconfig():
    import logging.config

    root = logging.getLogger()
    before, level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(logging_config("INFO", "json"))
        logging.config.dictConfig(logging_config("DEBUG", "text"))
    finally:
        root.handlers[:] = before
        root.setLevel(level)


seen_request_ids: list[str] = []


@dramatiq.actor(queue_name="deploy-test", max_retries=0)
def remember_request_id() -> None:
    seen_request_ids.append(request_id_var.get())


def test_the_request_id_travels_with_the_message_into_the_worker(broker, worker):
    assert any(isinstance(m, MessageRequestIdMiddleware) for m in broker.middleware)
    seen_request_ids.clear()
    # Given a message enqueued while handling request "req-9", and one enqueued outside any request
    token = request_id_var.set("req-9")
    try:
        remember_request_id.send()
    finally:
        request_id_var.reset(token)
    outside = remember_request_id.send()
    # When the worker handles them
    broker.join("deploy-test", timeout=30_000)
    worker.join()
    # Then the first ran with the request's id, the second with its message id
    assert sorted(seen_request_ids) == sorted(["req-9", f"msg-{outside.message_id}"])
