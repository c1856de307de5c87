"""The complainant's side: the status page follows the lead, step by dated step; e-mails at triage and closure."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from zhunru import roles
from zhunru.leads.models import Notification
from zhunru.portal.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(changjiang):
    c = Complaint.objects.get(jurisdiction=changjiang)
    c.contact_email = "citizen@example.cn"
    c.internal_note = "内部备注：疑似与去年投诉重复"
    c.save()
    return c


@pytest.fixture
def officer(make_user, changjiang):
    dept = changjiang.departments.exclude(is_lead=True).order_by("pk").first()
    user = make_user("market-officer", groups=[roles.DEPARTMENT_OFFICER], departments=[dept])
    user.first_name, user.last_name = "核查", "李科员"
    user.save()
    return user


def page(client, complaint) -> str:
    return client.post(reverse("zhunru_portal:complaint_status"), {"code": complaint.receipt_code}).content.decode()


def test_status_follows_the_lead_with_a_dated_public_timeline(client, complaint, portal_coordinator, officer,
                                                              django_capture_on_commit_callbacks):
    portal_coordinator.first_name, portal_coordinator.last_name = "协调", "王处长"
    portal_coordinator.save()
    dept = officer.department_memberships.get().department
    with django_capture_on_commit_callbacks(execute=True):
        complaint.accept(by=portal_coordinator)
    lead = complaint.lead()
    assert complaint.public_status()["progress"] == "accepted"

    lead.transfer(to=dept, by=portal_coordinator, note="内部移交说明：请优先办理")
    assert complaint.public_status()["progress"] == "transferred" and "已移交主管部门" in page(client, complaint)
    lead.accept(by=officer)
    assert complaint.public_status()["progress"] == "verifying"
    lead.verify(by=officer, findings="招标公告第五条要求本地注册", responsible_unit=dept, opinion="删除该条款")
    assert complaint.public_status()["progress"] == "rectifying"
    lead.report(by=officer, summary="已发布更正公告")
    assert complaint.public_status()["progress"] == "rectifying"
    lead.close(by=portal_coordinator, note="内部：同意办结")
    assert complaint.public_status()["progress"] == "closed"
    with django_capture_on_commit_callbacks(execute=True):
        complaint.mark_handled("已责令删除招标公告中的注册地要求。", by=portal_coordinator)

    status = complaint.public_status()
    labels = [step["label"] for step in status["timeline"]]
    assert labels == ["提交问题反映", "已受理，转为线索办理", "已移交主管部门核查", "主管部门已签收，开始核查",
                      "核查完成，进入整改", "整改情况已报告，待审核", "办理完毕", "已办结，公布办理结果"]
    times = [step["at"] for step in status["timeline"]]
    assert times == sorted(times)

    html = page(client, complaint)
    for step in status["timeline"]:
        assert f"{timezone.localtime(step['at'], datetime.timezone(datetime.timedelta(hours=8))):%Y年%-m月%-d日 %H:%M}" in html
        assert step["label"] in html
    assert "已责令删除招标公告中的注册地要求。" in html and "北京时间" in html
    for secret in ("内部", "王处长", "李科员", "market-officer", "portal-coordinator", "招标公告第五条", "citizen@example.cn"):
        assert secret not in html

    to_citizen = [m for m in mail.outbox if m.to == ["citizen@example.cn"]]
    assert [m.subject for m in to_citizen] == ["【准入】您反映的问题已受理，转为线索办理", "【准入】您反映的问题已办结"]
    assert "已责令删除招标公告中的注册地要求。" in to_citizen[1].body
    assert complaint.display_code in to_citizen[0].body
    # The link is built from the jurisdiction's Site (hostname and port), as a worker builds it.
    site = complaint.jurisdiction.site
    assert f"http://{site.hostname}:{site.port}" + reverse("zhunru_portal:complaint_status") in to_citizen[0].body
    for message in to_citizen:
        for secret in ("内部", "王处长", "李科员", "招标公告第五条"):
            assert secret not in message.body
    # The complainant has no account: no in-admin notification carries their address to anyone's inbox.
    assert not Notification.objects.filter(recipient__isnull=False, body__contains="citizen@example.cn").exists()


def test_decline_mails_the_reason_and_tells_the_other_coordinators(complaint, portal_coordinator, make_user, changjiang,
                                                                   django_capture_on_commit_callbacks):
    colleague = make_user("colleague", groups=[roles.COORDINATOR], departments=[changjiang.lead_department])
    with django_capture_on_commit_callbacks(execute=True):
        complaint.reject("不属于市场准入范畴，请向12345反映。", by=portal_coordinator)
    [citizen] = [m for m in mail.outbox if m.to == ["citizen@example.cn"]]
    assert citizen.subject == "【准入】您反映的问题不予受理" and "不属于市场准入范畴" in citizen.body
    told = Notification.objects.filter(key=f"complaint:{complaint.pk}:triaged")
    assert list(told.values_list("recipient__username", flat=True)) == [colleague.username]  # not the one who acted
    assert complaint.public_status()["progress"] == "not_accepted"


def test_no_email_left_means_no_message(changjiang, portal_coordinator, django_capture_on_commit_callbacks):
    complaint = Complaint.objects.get(jurisdiction=changjiang)
    assert complaint.contact_email == ""
    with django_capture_on_commit_callbacks(execute=True):
        complaint.accept(by=portal_coordinator)
    assert not Notification.objects.filter(recipient__isnull=True).exists()


def test_a_filed_complaint_tells_the_coordinators(client, changjiang, portal_coordinator, complaint_data,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("zhunru_portal:complaint", args=[changjiang.division_code]), complaint_data())
    assert response.status_code in (200, 302)
    new = Complaint.objects.exclude(contact_email="").get(jurisdiction=changjiang)
    note = Notification.objects.get(key=f"complaint:{new.pk}:filed")
    assert note.recipient == portal_coordinator and new.display_code in note.body
    assert "保密联系人甲" not in note.body and "13912345678" not in note.body


def test_the_status_api_carries_the_progress_and_timeline(client, complaint, portal_coordinator):
    complaint.accept(by=portal_coordinator)
    response = client.post("/api/v1/portal/complaints/status/", {"code": complaint.receipt_code},
                           content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["progress"] == "accepted" and data["status_label"] == "已受理"
    assert [s["label"] for s in data["timeline"]] == ["提交问题反映", "已受理，转为线索办理"]
    assert "internal_note" not in data and "内部" not in response.content.decode()
