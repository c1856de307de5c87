import json
import logging
import sys

from deploy.logging import JsonFormatter, RequestIdFilter, logging_config, request_id_var


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
