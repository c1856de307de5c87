import json

import pytest

from cms.catalog.models import RatingFollowUp, ServiceItem, ServiceRating
from cms.catalog.ratings import RatingError, submit_rating
from cms.catalog.screening import screen_text


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
    found = {text[m.start : m.end] for m in screen_text(text)}
    assert found == {"本地注册", "指定供应商", "外地企业须缴纳保证金"}
    m = next(m for m in screen_text(text) if m.rule.phrase == "本地注册")
    assert (m.start, m.end) == (text.index("本地注册"), text.index("本地注册") + 4)
    assert screen_text("各类经营主体依法平等进入清单之外的行业、领域、业务。") == []


def test_api_published_only(client, services):
    pub, hidden = services
    items = client.get("/api/v1/catalog/items/").json()
    assert {i["code"] for i in items} == {"100001", "200001", "200102", "200004"}
    assert client.get("/api/v1/catalog/items/200003/").status_code == 404
    assert [e["name"] for e in client.get("/api/v1/catalog/editions/").json()] == ["2025年版"]
    svc = client.get("/api/v1/catalog/services/").json()
    assert [s["id"] for s in svc] == [pub.pk]
    assert client.get(f"/api/v1/catalog/services/{hidden.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/catalog/services/{hidden.pk}/ratings/",
            {"level": 5, "channel": "portal"},
            content_type="application/json",
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/catalog/services/{pub.pk}/ratings/",
        {"level": 2, "channel": "portal", "idempotency_key": "a"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["follow_up"]
    assert client.get(f"/api/v1/catalog/services/{pub.pk}/statistics/").json()[0]["unsatisfied"] == 1
    s = client.post(
        "/api/v1/catalog/screen/", {"text": "限本地企业参与"}, content_type="application/json"
    ).json()
    assert s[0]["phrase"] == "限本地企业" and s[0]["start"] == 0
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert "/api/v1/catalog/screen/" in schema["paths"]
