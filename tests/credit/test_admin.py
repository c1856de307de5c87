"""The admin pages: outbox list, subject credit page, resend, reconciliation, exports."""

import pytest

from tests.credit.conftest import decision_fields
from zhunru.credit import outbox
from zhunru.credit.delivery import deliver
from zhunru.credit.models import OutboundRecord


@pytest.fixture
def coordinator(make_user, client, jurisdiction):
    from zhunru import roles

    # A coordinator of the test jurisdiction (one with no jurisdiction sees no outbox record).
    user = make_user("xietiao", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    client.force_login(user)
    return user


def test_admin_pages(coordinator, client, platforms, make_subject, jurisdiction, simulator,
                     django_capture_on_commit_callbacks):
    s = make_subject(name="昌江区示范农民专业合作社")
    with django_capture_on_commit_callbacks(execute=False):
        rows = outbox.enqueue_decision("licensing", jurisdiction=jurisdiction, **decision_fields(s))
    simulator.fail("400", reason="有效期格式错误")
    deliver(rows[0].pk)
    deliver(rows[1].pk)
    assert client.get("/admin/credit/outbox/").status_code == 200
    page = client.get(f"/admin/credit/subjects/{s.pk}/credit/").content.decode()
    assert "有效期格式错误" in page and "昌江区示范农民专业合作社" in page
    rec = client.get("/admin/credit/reconciliation/").content.decode()
    assert "有效期格式错误" in rec and "一致 1" in rec
    rejected = OutboundRecord.objects.get(status="rejected")
    assert client.get(f"/admin/credit/outbox/{rejected.pk}/resend/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        resp = client.post(f"/admin/credit/outbox/{rejected.pk}/resend/")
    assert resp.status_code == 302
    rejected.refresh_from_db()
    assert rejected.status == "pending"
    xlsx = client.get("/admin/credit/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "行政许可决定文书号" in client.get("/admin/credit/export.csv?kind=licensing").content.decode("utf-8-sig")


def test_officers_cannot_resend(make_user, client, platforms, make_subject, jurisdiction):
    from zhunru import roles

    client.force_login(make_user("jingban", groups=[roles.DEPARTMENT_OFFICER]))
    resp = client.get("/admin/credit/reconciliation/")
    assert resp.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect with a message
    assert client.post("/admin/credit/outbox/1/resend/").status_code in (302, 403)
    assert not OutboundRecord.objects.filter(status="pending", enqueued_at__isnull=False).exists()


def test_api_subject_lookup(coordinator, client, make_subject):
    s = make_subject(credit_class="dishonest")
    data = client.get(f"/api/v1/credit/subjects/{s.uscc.lower()}").json()
    assert data["credit_class_label"] == "失信" and data["may_be_granted_commitment"] is False
    resp = client.get("/api/v1/credit/subjects/91330100716105852E")
    assert resp.status_code == 400 and "校验位" in resp.json()["detail"]
    assert client.get("/api/v1/credit/subjects/91330100716105852F").status_code == 404
