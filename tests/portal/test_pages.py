"""Every portal page renders (home, policies, bulletins, search, complaint, status) and hides contact details."""

import pytest
from django.urls import reverse

from tests.portal.conftest import CONTACT, visit
from zhunru.portal.models import Complaint, Hotline

pytestmark = pytest.mark.django_db


def test_home_shows_name_search_policies_bulletins_and_channels(client, changjiang_home, published_bulletin):
    html = visit(client, changjiang_home).content.decode()
    assert "景德镇市昌江区" in html
    assert 'role="search"' in html and 'name="j" value="360202"' in html
    assert "进一步建立健全贯彻落实市场准入制度工作机制" in html  # latest policy
    assert "关于2026年第一批市场准入典型违规案例的通报" in html  # latest bulletin
    assert "12345 政务服务便民热线" in html and "0798-8888888" in html and "工作日 8:30" in html
    assert reverse("zhunru_portal:complaint", args=["360202"]) in html
    assert "典型案例通报" in html and "政策文件" in html  # navigation


def test_hotlines_are_per_jurisdiction_and_can_be_hidden(client, portal):
    houma = portal["141081"].home_page
    html = visit(client, houma).content.decode()
    assert "0357-4200000" in html and "0798-8888888" not in html
    Hotline.objects.filter(number="0357-4200000").update(is_active=False)
    assert "0357-4200000" not in visit(client, houma).content.decode()


def test_hotline_needs_a_number_or_an_address(changjiang):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="至少一项"):
        Hotline(jurisdiction=changjiang, name="空渠道").full_clean()


def test_installation_index_lists_jurisdictions(client, portal):
    from zhunru.models import PortalIndexPage

    html = visit(client, PortalIndexPage.objects.get()).content.decode()
    assert "景德镇市昌江区" in html and "侯马市" in html


def test_policy_pages_render(client, changjiang_home):
    from zhunru.models import PolicyIndexPage, PolicyPage

    index = PolicyIndexPage.objects.child_of(changjiang_home).get()
    assert "政策文件" in visit(client, index).content.decode()
    policy = PolicyPage.objects.descendant_of(changjiang_home).get()
    html = visit(client, policy).content.decode()
    assert "发文机关" in html and 'aria-current="page"' in html


def test_bulletin_pages_and_pdf(client, published_bulletin):
    index_html = visit(client, published_bulletin.get_parent()).content.decode()
    assert published_bulletin.title in index_html
    html = visit(client, published_bulletin).content.decode()
    assert "昌发改〔2026〕1号" in html and "景德镇市昌江区" in html  # the portal's header and nav
    pdf = visit(client, published_bulletin, "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_jurisdiction_shortcut_and_unknown_jurisdiction(client, changjiang_home):
    target = client.get("/portal/360202/")["Location"]
    assert target == "/changjiang/" and "景德镇市昌江区" in client.get(target).content.decode()
    assert client.get("/portal/999999/complaint/").status_code == 404


def test_contact_details_never_reach_public_pages_or_api(client, changjiang, changjiang_home, complaint_data,
                                                        portal_coordinator, published_bulletin):
    client.post(reverse("zhunru_portal:complaint", args=["360202"]), complaint_data())
    complaint = Complaint.objects.exclude(receipt_code__startswith="DEMX").get()
    complaint.accept(by=portal_coordinator)
    complaint.mark_handled("已整改。", by=portal_coordinator)
    public = [
        visit(client, changjiang_home),
        client.get(reverse("zhunru_portal:complaint_receipt")),
        client.post(reverse("zhunru_portal:complaint_status"), {"code": complaint.receipt_code}),
        client.get(reverse("zhunru_portal:search") + "?q=招标&j=360202"),
        client.get("/api/v1/portal/hotlines/?jurisdiction=360202"),
        client.post("/api/v1/portal/complaints/status/", {"code": complaint.receipt_code},
                    content_type="application/json"),
        client.get("/api/v1/schema/"),
        client.get("/api/v2/pages/?limit=50"),
    ]
    for response in public:
        body = response.content.decode()
        assert response.status_code in (200, 302), response
        for secret in CONTACT.values():
            assert secret not in body
    # Searching for them finds nothing (they are never indexed).
    from zhunru.search.indexing import rebuild

    rebuild()
    body = client.get(reverse("zhunru_portal:search") + "?q=13912345678").content.decode()
    assert "没有找到" in body and "secret-person@example.cn" not in body
    # Nor in the audit chain or django-auditlog's change records.
    from auditlog.models import LogEntry

    from zhunru.audit.models import AuditEvent

    for event in AuditEvent.objects.all():
        dump = f"{event.object_repr} {event.changes} {event.note}"
        assert not any(secret in dump for secret in CONTACT.values())
    for entry in LogEntry.objects.all():
        assert not any(secret in str(entry.changes) for secret in CONTACT.values())


def test_api_files_a_complaint_once_and_reports_status(client, changjiang):
    import uuid

    token = str(uuid.uuid4())
    payload = {"jurisdiction": "360202", "submission_token": token, "organization": "某局",
               "description": "要求企业提供清单以外的本地证明材料。", "consent": True, **CONTACT}
    first = client.post("/api/v1/portal/complaints/", payload, content_type="application/json")
    again = client.post("/api/v1/portal/complaints/", payload, content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["receipt_code"] == again.json()["receipt_code"]
    assert not any(secret in first.content.decode() for secret in CONTACT.values())
    bad = client.post("/api/v1/portal/complaints/", {**payload, "submission_token": None, "consent": False,
                                                     "description": ""}, content_type="application/json")
    assert bad.status_code == 400 and "请阅读并勾选同意告知事项后再提交。" in bad.json()["errors"]["consent"]
