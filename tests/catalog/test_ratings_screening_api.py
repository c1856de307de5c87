import json

import pytest

from zhunru.catalog.models import RatingFollowUp, ServiceItem, ServiceRating
from zhunru.catalog.ratings import RatingError, submit_rating
from zhunru.catalog.screening import screen_text


@pytest.fixture
def services(editions, make_department):
    old, new = editions
    new.activate()
    dept = make_department("市场监管局")
    pub = ServiceItem.objects.create(department=dept, name="药品经营许可", published=True)
    pub.list_items.add(new.items.get(code="200001"))
    hidden = ServiceItem.objects.create(department=dept, name="草稿事项", published=False)
    return pub, hidden


def test_ratings_and_follow_up(services):
    pub, _ = services
    good = submit_rating(pub, 5, "portal")
    assert not RatingFollowUp.objects.filter(rating=good).exists()
    bad = submit_rating(pub, 1, "hall", "排队太久", idempotency_key="k1")
    assert RatingFollowUp.objects.get(rating=bad).department == pub.department
    assert submit_rating(pub, 1, "hall", "排队太久", idempotency_key="k1").pk == bad.pk
    assert ServiceRating.objects.count() == 2
    with pytest.raises(RatingError):
        submit_rating(pub, 9, "portal")


def test_screening(db):
    text = "投标人须在本地注册，并向指定供应商采购。外地企业须缴纳保证金。"
    matches = screen_text(text)
    found = {text[m.start : m.end] for m in matches}
    assert found == {"须在本地注册", "本地注册", "指定供应商", "外地企业须缴纳保证金"}
    assert {m.rule.category for m in matches} == {"discriminatory", "unfair_competition"}
    assert all(m.rule.basis.startswith("十一(") for m in matches)
    m = next(m for m in screen_text(text) if m.rule.phrase == "本地注册")
    assert (m.start, m.end) == (text.index("本地注册"), text.index("本地注册") + 4)
    assert screen_text("各类经营主体依法平等进入清单之外的行业、领域、业务。") == []


def test_api_published_only(client, services):
    pub, hidden = services
    page = client.get("/api/v1/catalog/items/").json()
    assert page["count"] == 4
    assert {i["code"] for i in page["items"]} == {"100001", "200001", "200102", "200004"}
    assert client.get("/api/v1/catalog/items/200003/").status_code == 404  # only in the inactive edition
    missing = client.get("/api/v1/catalog/items/200003/").json()
    assert missing["code"] == "not_found" and "不存在" in missing["message"]
    assert [e["name"] for e in client.get("/api/v1/catalog/editions/").json()] == ["2025年版"]
    svc = client.get("/api/v1/catalog/services/").json()
    assert [s["id"] for s in svc["items"]] == [pub.pk]
    assert client.get(f"/api/v1/catalog/services/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/catalog/services/{hidden.pk}/documents/").status_code == 404
    assert (
        client.post(
            f"/api/v1/catalog/services/{hidden.pk}/ratings/",
            {"level": 5, "channel": "portal"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not hidden.ratings.exists()
    r = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/",
        {"level": 2, "channel": "portal", "idempotency_key": "a"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["follow_up"]
    again = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/",
        {"level": 2, "channel": "portal", "idempotency_key": "a"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert pub.ratings.count() == 1
    assert client.get(f"/api/v1/catalog/services/{pub.pk}/statistics/").json()[0]["unsatisfied"] == 1
    s = client.post(
        "/api/v1/catalog/screen/", {"text": "限本地企业参与"}, content_type="application/json"
    ).json()
    assert s[0]["phrase"] == "限本地企业" and s[0]["start"] == 0
    assert s[0]["category"] == "discriminatory" and s[0]["category_label"] == "歧视性政策" and s[0]["basis"]


def test_filters_and_pagination(client, services):
    def codes(query):
        return [i["code"] for i in client.get("/api/v1/catalog/items/" + query).json()["items"]]

    assert codes("?kind=prohibited") == ["100001"]
    assert codes("?department=烟草") == ["200102"]
    assert codes("?q=网络销售") == ["200001"]
    assert codes("?q=200004") == ["200004"]
    first = client.get("/api/v1/catalog/items/?page_size=3").json()
    second = client.get("/api/v1/catalog/items/?page_size=3&page=2").json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}
    pub, _ = services
    division = pub.department.jurisdiction.division_code
    assert [s["id"] for s in client.get(f"/api/v1/catalog/services/?jurisdiction={division}").json()["items"]] == [
        pub.pk
    ]
    assert client.get("/api/v1/catalog/services/?jurisdiction=999999").json()["count"] == 0
    assert client.get("/api/v1/catalog/services/?item=200001").json()["count"] == 1
    assert client.get("/api/v1/catalog/services/?item=100001").json()["count"] == 0


def test_conditional_reads(client, services):
    pub, _ = services
    url = f"/api/v1/catalog/services/{pub.pk}/"
    first = client.get(url)
    # Last-Modified and If-Modified-Since: tests/catalog/test_api_conditional.py.
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    pub.fees = "不收费（已更新）"
    pub.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.json()["fees"] == "不收费（已更新）"


def test_errors_are_json_with_code_and_chinese_message(client, services):
    pub, _ = services
    bad = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/", {"level": 9}, content_type="application/json"
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid" and body["message"] == "请求参数有误：评价等级。"
    wrong_channel = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/", {"level": 3, "channel": "fax"}, content_type="application/json"
    ).json()
    assert wrong_channel["code"] == "invalid_rating" and wrong_channel["message"] == "评价渠道无效。"
    garbage = client.post("/api/v1/catalog/screen/", "{not json", content_type="application/json")
    assert garbage.status_code in (400, 422) and garbage.json()["code"] in ("bad_request", "invalid")


def test_post_endpoints_are_rate_limited(client, services, settings):
    settings.ZHUNRU_API_POST_RATES = {"rating": "3/m"}
    pub, _ = services
    statuses = [
        client.post(
            f"/api/v1/catalog/services/{pub.pk}/ratings/", {"level": 4}, content_type="application/json"
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]
    limited = client.post(f"/api/v1/catalog/services/{pub.pk}/ratings/", {"level": 4}, content_type="application/json")
    assert limited.json()["code"] == "throttled" and int(limited["Retry-After"]) > 0
    assert pub.ratings.count() == 3
    # Another client address is not affected.
    other = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/", {"level": 4}, content_type="application/json",
        REMOTE_ADDR="10.9.8.7",
    )
    assert other.status_code == 201


def test_idempotency_key_of_another_service_item_is_a_conflict(client, services):
    pub, _ = services
    other = ServiceItem.objects.create(department=pub.department, name="食品经营许可", published=True)
    first = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/",
        {"level": 1, "comment": "排队太久", "idempotency_key": "shared-key"},
        content_type="application/json",
    )
    assert first.status_code == 201
    reused = client.post(
        f"/api/v1/catalog/services/{other.pk}/ratings/",
        {"level": 5, "idempotency_key": "shared-key"},
        content_type="application/json",
    )
    assert reused.status_code == 409
    body = reused.json()
    assert body["code"] == "idempotency_key_reused" and "幂等键" in body["message"]
    assert "id" not in body and "level" not in body  # nothing of the other item's rating
    assert not other.ratings.exists() and pub.ratings.count() == 1
    # The key still repeats on its own item.
    again = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/",
        {"level": 1, "idempotency_key": "shared-key"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_schema_is_valid_openapi(client, services):
    schema = json.loads(client.get("/api/v1/schema/").content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/catalog/screen/", "/api/v1/catalog/items/", "/api/v1/catalog/services/{pk}/ratings/"):
        assert path in schema["paths"]
    from openapi_spec_validator import validate

    validate(schema)


@pytest.mark.parametrize(
    "text, category",
    [
        ("申请人须另行办理前置审批手续。", "entry_conditions"),
        ("投标人注册资本不低于5000万元。", "entry_conditions"),
        ("民营企业不得参与本项目。", "discriminatory"),
        ("企业迁出本区须经区政府同意。", "discriminatory"),
        ("所用设备须采用指定品牌。", "unfair_competition"),
    ],
)
def test_each_case_category_has_seeded_rules(db, text, category):
    assert category in {m.rule.category for m in screen_text(text)}


def test_invalid_regex_rule_is_refused(db):
    from django.core.exceptions import ValidationError

    from zhunru.catalog.models import ScreeningRule

    rule = ScreeningRule(phrase="(本地", is_regex=True, category="discriminatory", explanation="坏规则")
    with pytest.raises(ValidationError, match="正则表达式无效"):
        rule.full_clean()


def test_cors_only_for_configured_origins_and_only_on_the_api(client, services, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://portal.example.cn"]
    allowed = client.get("/api/v1/catalog/items/", HTTP_ORIGIN="https://portal.example.cn")
    assert allowed["Access-Control-Allow-Origin"] == "https://portal.example.cn"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    other = client.get("/api/v1/catalog/items/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        "/api/v1/catalog/screen/",
        HTTP_ORIGIN="https://portal.example.cn",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert preflight.status_code == 200 and "POST" in preflight["Access-Control-Allow-Methods"]
    page = client.get("/admin/login/", HTTP_ORIGIN="https://portal.example.cn")
    assert "Access-Control-Allow-Origin" not in page
