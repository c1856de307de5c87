"""Complainants' personal information (issue 23, item 6): masked in the admin unless a coordinator shows it (audited),
erased on the complainant's request, and erased by the retention job; the complaint and its receipt code stay."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.portal.models import Complaint, erase_expired_contacts, mask_email, mask_name, mask_phone


@pytest.fixture
def complaint(jurisdiction):
    return Complaint.objects.create(
        jurisdiction=jurisdiction, description="招标公告要求投标人在本地注册。", organization="某街道办事处",
        contact_name="王小明", contact_phone="13912345678", contact_email="wangxm@example.invalid",
        submission_token=uuid.uuid4())


@pytest.fixture
def coordinator(make_user, jurisdiction):
    return make_user("coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])


def test_masks():
    assert (mask_name("王小明"), mask_phone("13912345678"), mask_email("wangxm@example.invalid")) == (
        "王**", "139****5678", "w***@example.invalid")
    assert (mask_name(""), mask_phone(""), mask_email("")) == ("", "", "")


def test_the_triage_page_masks_until_a_coordinator_asks_and_that_is_audited(client, complaint, coordinator):
    client.force_login(coordinator)
    url = reverse("zhunru_complaint_triage", args=[complaint.pk])
    page = client.get(url).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "王小明" not in page
    assert not AuditEvent.objects.filter(action="complaint.contact_viewed").exists()
    shown = client.get(url, {"reveal": "1"}).content.decode()
    assert "13912345678" in shown and "王小明" in shown
    viewed = AuditEvent.objects.get(action="complaint.contact_viewed")
    assert viewed.object_id == str(complaint.pk)


def test_an_auditor_never_sees_them_in_full(client, complaint, make_user, jurisdiction):
    auditor = make_user("auditor", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department])
    client.force_login(auditor)
    shown = client.get(reverse("zhunru_complaint_triage", args=[complaint.pk]), {"reveal": "1"}).content.decode()
    assert "13912345678" not in shown and "查看完整联系方式" not in shown


def test_erasure_on_request_keeps_the_complaint(client, complaint, coordinator):
    client.force_login(coordinator)
    url = reverse("zhunru_complaint_triage", args=[complaint.pk])
    client.post(url, {"action": "erase_contact", "reason": "反映人电话申请删除"})
    complaint.refresh_from_db()
    assert (complaint.contact_name, complaint.contact_phone, complaint.contact_email) == ("", "", "")
    assert complaint.contact_erasure_reason == "反映人电话申请删除" and complaint.receipt_code
    event = AuditEvent.objects.get(action="complaint.contact_erased")
    assert event.note == "反映人电话申请删除" and "13912345678" not in str(event.changes)
    assert "联系方式已于" in client.get(url).content.decode()


def test_the_retention_job_erases_only_what_has_expired(complaint, coordinator, jurisdiction, settings):
    settings.ZHUNRU_PORTAL = {"CONTACT_RETENTION_DAYS": 30}
    complaint.reject("不属于市场准入问题。", by=coordinator)
    fresh = Complaint.objects.create(jurisdiction=jurisdiction, description="另一条", organization="某局",
                                     contact_phone="13800000000", submission_token=uuid.uuid4())
    assert erase_expired_contacts() == 0  # closed today: kept
    later = timezone.now() + datetime.timedelta(days=31)
    assert erase_expired_contacts(later) == 1
    assert erase_expired_contacts(later) == 0  # once
    complaint.refresh_from_db()
    fresh.refresh_from_db()
    assert complaint.contact_phone == "" and complaint.contact_erasure_reason.startswith("保存期限届满")
    assert fresh.contact_phone == "13800000000"  # still open: kept
