"""What the API fuzzing job (.ci/jobs/fuzz, tests/fuzz/) found, one cheap regression test each: every answer a
clear Chinese 4xx that the schema at /api/v1/schema/ documents, never a 5xx."""

import pytest


def _operation(client, path: str, method: str = "get") -> dict:
    return client.get("/api/v1/schema/").json()["paths"][path][method]


def test_the_credit_lookup_asks_an_anonymous_caller_to_sign_in_as_its_schema_says(client):
    # Was: 403 for everyone not signed in, an answer the schema did not list (no security, no 401/403).
    response = client.get("/api/v1/credit/subjects/91330100716105852F")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and response.json()["message"] == "请先登录。"
    operation = _operation(client, "/api/v1/credit/subjects/{uscc}")
    assert operation["security"] == [{"SessionAuth": []}]
    assert {"401", "403"} <= set(operation["responses"])


@pytest.mark.django_db
def test_the_credit_lookup_refuses_a_signed_in_user_without_the_permission_in_chinese(client, make_user):
    client.force_login(make_user("wuquan"))
    response = client.get("/api/v1/credit/subjects/91330100716105852F")
    assert response.status_code == 403 and response.json()["message"] == "需要具有查看市场主体的权限。"


@pytest.mark.django_db
def test_a_deadline_from_a_start_day_outside_1949_to_2100_is_a_chinese_400(client, make_user):
    # Was: start=0008-01-01 answered 200 with due_at "0008-01-10T00:00:00+08:05:43" (local mean time, no
    # valid ISO 8601 offset), and start=9999-12-30 a 500 (date overflow).
    client.force_login(make_user("qixian"))
    for start in ("0008-01-01", "1949-09-30", "9999-12-30"):
        response = client.get("/api/v1/leads/due", {"start": start, "amount": 6})
        assert response.status_code == 400, start
        assert response.json()["message"] == f"起算日应在 1949年10月1日至 2100年12月31日之间，收到“{start}”。"
    ok = client.get("/api/v1/leads/due", {"start": "1949-10-01", "amount": 6})
    assert ok.status_code == 200 and ok.json()["due_at"].endswith("+08:00")
