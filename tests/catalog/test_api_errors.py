"""Every error under /api/v1/ is JSON with a machine-readable code and a Chinese message."""

import re

import pytest

LATIN = re.compile(r"[A-Za-z]")


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["message"]) and body["detail"] == body["message"]
    return body


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/catalog/services/{pk}/ratings/"),
        ("put", "/api/v1/catalog/services/{pk}/ratings/"),
        ("delete", "/api/v1/catalog/services/{pk}/"),
        ("get", "/api/v1/catalog/screen/"),
        ("post", "/api/v1/catalog/items/"),
        ("patch", "/api/v1/catalog/editions/"),
    ],
)
def test_wrong_method_is_a_json_405(client, service, method, url):
    response = getattr(client, method)(url.format(pk=service.pk))
    body = assert_json_error(response, 405, "method_not_allowed")
    assert "不支持" in body["message"]
    allowed = response["Allow"]
    assert allowed and method.upper() not in allowed


@pytest.mark.parametrize(
    "url", ["/api/v1/", "/api/v1/nope/", "/api/v1/catalog/nope/", "/api/v1/catalog/items/200001/extra/", "/api/v1/x"]
)
def test_unknown_path_is_a_json_404(client, db, url):
    for method in ("get", "post"):
        body = assert_json_error(getattr(client, method)(url), 404, "not_found")
        assert "<html" not in str(body)


def test_missing_trailing_slash(client, service):
    # GET is redirected as Django does elsewhere (query string kept) ...
    redirected = client.get("/api/v1/catalog/items?kind=permitted")
    assert redirected.status_code == 301 and redirected["Location"] == "/api/v1/catalog/items/?kind=permitted"
    # ... a POST cannot be, so it says what is wrong.
    body = assert_json_error(
        client.post("/api/v1/catalog/screen", {"text": "x"}, content_type="application/json"), 404, "not_found"
    )
    assert "“/”结尾" in body["message"]


def test_validation_message_names_fields_in_chinese(client, service):
    bad_level = client.post(
        f"/api/v1/catalog/services/{service.pk}/ratings/", {"level": 9, "comment": "x"}, content_type="application/json"
    )
    body = assert_json_error(bad_level, 422, "invalid")
    assert body["message"] == "请求参数有误：评价等级。"
    assert body["errors"][0]["loc"] == ["body", "payload", "level"] and body["errors"][0]["label"] == "评价等级"

    missing = assert_json_error(
        client.post("/api/v1/catalog/screen/", {}, content_type="application/json"), 422, "invalid"
    )
    assert missing["message"] == "请求参数有误：待筛查文本。"

    no_body = assert_json_error(client.post("/api/v1/catalog/screen/", "", content_type="application/json"), 422, "invalid")
    assert no_body["message"] == "请求参数有误：请求体。"

    paging = assert_json_error(client.get("/api/v1/catalog/items/?page=0&page_size=x"), 422, "invalid")
    assert paging["message"] == "请求参数有误：页码、每页条数。"

    long_query = assert_json_error(client.get("/api/v1/catalog/items/?q=" + "长" * 101), 422, "invalid")
    assert long_query["message"] == "请求参数有误：关键词。"

    for body in (bad_level.json(), missing, no_body, paging, long_query):
        assert not LATIN.search(body["message"]), body["message"]


def test_too_large_a_body_is_a_json_413(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/catalog/screen/", {"text": "本" * 1000}, content_type="application/json")
    assert_json_error(response, 413, "too_large")


CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("url, type_, msg", [
    ("/api/v1/cases/?offset=-1", "greater_than_equal", "偏移量应大于或等于 0。"),
    ("/api/v1/cases/?limit=0", "greater_than_equal", "条数上限应大于或等于 1。"),
    ("/api/v1/catalog/items/?page=100001", "less_than_equal", "页码应小于或等于 100000。"),
    ("/api/v1/catalog/items/?page_size=x", "int_parsing", "每页条数应为整数。"),
    ("/api/v1/catalog/items/?q=" + "长" * 101, "string_too_long", "关键词最多 100 个字符。"),
])
def test_each_error_has_a_chinese_msg(client, service, url, type_, msg):
    body = assert_json_error(client.get(url), 422, "invalid")
    error = body["errors"][0]
    assert error["type"] == type_ and error["loc"]  # machine-readable parts kept
    assert error["msg"] == msg


def test_an_unlabelled_parameter_is_named_by_its_name(client, db):
    body = assert_json_error(client.get("/api/v1/cases/abc"), 422, "invalid")
    assert body["errors"][0]["type"] == "int_parsing"
    assert CHINESE.search(body["errors"][0]["msg"]) and "应为整数" in body["errors"][0]["msg"]
    assert body["message"] != "请求参数有误，请检查后重试。" and "“" in body["message"]


def test_missing_body_field_msg_is_chinese(client, service):
    body = assert_json_error(client.post("/api/v1/catalog/screen/", {}, content_type="application/json"), 422, "invalid")
    assert body["errors"][0]["type"] == "missing" and body["errors"][0]["msg"] == "待筛查文本为必填项。"
