"""A coordinator triages complaints: accept (as a lead), decline with a reason, record the result."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhunru.audit.models import AuditEvent
from zhunru.portal.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(changjiang):
    return Complaint.objects.get(jurisdiction=changjiang)


def status_of(client, complaint) -> str:
    return client.post(reverse("zhunru_portal:complaint_status"), {"code": complaint.receipt_code}).content.decode()


def test_accept_then_handle_is_shown_on_the_status_page(client, complaint, portal_coordinator):
    complaint.accept(by=portal_coordinator)
    assert complaint.status == Complaint.Status.ACCEPTED and complaint.triaged_by == portal_coordinator
    assert "已受理" in status_of(client, complaint)
    complaint.mark_handled("已责令删除招标公告中的注册地要求。", by=portal_coordinator)
    html = status_of(client, complaint)
    assert "已办结" in html and "已责令删除招标公告中的注册地要求。" in html
    actions = list(AuditEvent.objects.filter(object_id=str(complaint.pk)).values_list("action", flat=True))
    assert "complaint.accepted" in actions and "complaint.handled" in actions


def test_decline_needs_a_reason_which_the_citizen_sees(client, complaint, portal_coordinator):
    with pytest.raises(ValidationError, match="请填写不予受理的理由"):
        complaint.reject("  ", by=portal_coordinator)
    complaint.reject("所反映问题不属于市场准入范畴，已告知向12345反映。", by=portal_coordinator)
    html = status_of(client, complaint)
    assert "不予受理" in html and "不属于市场准入范畴" in html


def test_illegal_transitions_are_refused(complaint, portal_coordinator):
    with pytest.raises(ValidationError, match="不能执行该操作"):
        complaint.mark_handled("结果", by=portal_coordinator)
    complaint.reject("理由", by=portal_coordinator)
    with pytest.raises(ValidationError):
        complaint.accept(by=portal_coordinator)


def test_admin_triage_page_for_coordinators_only(client, complaint, portal_coordinator, make_user, changjiang):
    url = reverse("zhunru_complaint_triage", args=[complaint.pk])
    officer = make_user("officer", departments=[changjiang.departments.exclude(is_lead=True).first()])
    client.force_login(officer)
    assert client.get(url).status_code in (302, 403)
    client.force_login(portal_coordinator)
    html = client.get(url).content.decode()
    assert "13800000000" not in html and "138****0000" in html  # masked until shown on request (audited)
    assert "13800000000" in client.get(url, {"reveal": "1"}).content.decode()  # coordinators may
    response = client.post(url, {"action": "reject", "reason": "重复反映。"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.NOT_ACCEPTED


def test_complaint_listing_is_scoped_and_has_no_add(client, portal_coordinator, portal):
    client.force_login(portal_coordinator)
    listing = client.get(reverse("wagtailsnippets_zhunru_portal_complaint:list"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "DEMX-2345-CJQR" in html and "DEMX-2345-HMQR" not in html  # only its own jurisdiction
    assert client.get(reverse("wagtailsnippets_zhunru_portal_complaint:add")).status_code in (302, 403)


def test_accepting_creates_one_lead_without_contact_details(complaint, portal_coordinator):
    from zhunru.leads.models import Lead

    complaint.accept(by=portal_coordinator)
    lead = Lead.objects.get()
    assert complaint.lead_reference == lead.number
    assert lead.source == Lead.Source.COMPLAINT and lead.jurisdiction == complaint.jurisdiction
    assert complaint.organization in lead.title and complaint.description in lead.description
    assert "13800000000" not in f"{lead.title} {lead.description} {lead.reporter}"
    assert complaint.display_code in lead.reporter
