"""Roles that match the notices (issue 19 item 4): the auditor reads everything of their jurisdiction and
changes nothing; a department officer acts only on their own department's items.

One jurisdiction with a lead, a case and a credit commitment of department 甲, built once for the module's tests
(``shared_rows``); the refusals are asserted both at the URL (403/404, nothing changed) and in the model methods.
"""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.conftest import create_department, create_jurisdiction, create_user, shared_rows
from zhunru import roles
from zhunru.scoping import is_coordinator, is_read_only, sees_jurisdiction


@shared_rows("role_world")
def role_world():
    """测试区 with departments 甲 and 乙, a lead and a case and a commitment of 甲, and one user per role."""
    from zhunru.cases.models import Case, Category
    from zhunru.credit.models import CreditCommitment, CreditPlatform, MarketSubject, OutboundRecord
    from zhunru.leads.models import Lead
    from zhunru.portal.models import Complaint

    j = create_jurisdiction()
    dept_a, dept_b = create_department(j, "测试区甲局"), create_department(j, "测试区乙局")
    lead_dept = j.lead_department
    people = {
        "coordinator": create_user("rw-coordinator", groups=[roles.COORDINATOR], departments=[lead_dept]),
        "auditor": create_user("rw-auditor", groups=[roles.AUDITOR], departments=[lead_dept]),
        "officer_a": create_user("rw-officer-a", groups=[roles.DEPARTMENT_OFFICER], departments=[dept_a]),
        "officer_b": create_user("rw-officer-b", groups=[roles.DEPARTMENT_OFFICER], departments=[dept_b]),
    }
    lead = Lead.objects.create_lead(jurisdiction=j, source=Lead.Source.COMPLAINT, title="甲局办理的线索")
    lead.transfer(to=dept_a, by=people["coordinator"])
    case = Case.objects.create(title="甲局报送的案例", jurisdiction=j, reporting_department=dept_a,
                               organization="某单位", region="测试区", category=Category.DISCRIMINATORY,
                               subcategory="non_local", summary="摘要")
    subject = MarketSubject.objects.create(name="某某有限公司", uscc="91330100716105852E", jurisdiction=j)
    commitment = CreditCommitment.objects.create(
        subject=subject, jurisdiction=j, department=dept_a, permit_name="甲局承诺事项", promise="承诺内容",
        due_date=datetime.date(2030, 1, 1))
    platform = CreditPlatform.objects.create(name="测试平台", code="rw-platform", jurisdiction=j,
                                             endpoint_url="https://platform.invalid/", hmac_key_ref="TEST")
    outbound = OutboundRecord.objects.create(platform=platform, kind=OutboundRecord.Kind.PENALTY, jurisdiction=j,
                                             subject=subject, status=OutboundRecord.Status.REJECTED, payload={})
    complaint = Complaint.objects.create(jurisdiction=j, description="招标公告要求本地注册。", organization="某街道办事处",
                                         submission_token=uuid.uuid4())
    return {"jurisdiction": j, "dept_a": dept_a, "dept_b": dept_b, "lead": lead, "case": case,
            "commitment": commitment, "outbound": outbound, "complaint": complaint, **people}


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_the_auditor_sees_the_jurisdiction_but_is_no_coordinator(role_world):
    auditor, coordinator = role_world["auditor"], role_world["coordinator"]
    assert sees_jurisdiction(auditor) and not is_coordinator(auditor) and is_read_only(auditor)
    assert sees_jurisdiction(coordinator) and is_coordinator(coordinator) and not is_read_only(coordinator)
    assert not sees_jurisdiction(role_world["officer_a"]) and not is_read_only(role_world["officer_a"])
    assert role_world["lead"].allowed_actions(auditor) == set()
    assert not role_world["case"].may_keep_register(auditor)
    assert not role_world["commitment"].may_handle(auditor)


def test_the_auditor_reads_leads_cases_credit_audit_and_exports_with_no_button(client, role_world):
    from zhunru.cases.models import Case
    from zhunru.credit.models import CreditCommitment, OutboundRecord
    from zhunru.leads.models import Lead

    lead = role_world["lead"]
    client.force_login(role_world["auditor"])
    for url, text in [
        (reverse(Lead.snippet_viewset.get_url_name("list")), "甲局办理的线索"),
        (reverse(Case.snippet_viewset.get_url_name("list")), "甲局报送的案例"),
        (reverse(CreditCommitment.snippet_viewset.get_url_name("list")), "甲局承诺事项"),
        (reverse(OutboundRecord.snippet_viewset.get_url_name("list")), ""),
        (reverse("audit_events:index"), ""),
        (reverse("zhunru_lead_dashboard"), ""),
        (reverse("zhunru_credit_reconciliation"), ""),
        (reverse("zhunru_lead_export"), ""),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in (b"".join(response) if response.streaming else response.content).decode(errors="ignore")
    timeline = client.get(reverse("zhunru_lead_timeline", args=[lead.pk])).content.decode()
    assert "甲局办理的线索" in timeline
    assert not [a for a in lead.ACTION_STATES if reverse("zhunru_lead_action", args=[lead.pk, a]) in timeline]
    outbox = client.get(reverse(OutboundRecord.snippet_viewset.get_url_name("list"))).content.decode()
    assert reverse("zhunru_credit_resend", args=[role_world["outbound"].pk]) not in outbox
    triage = client.get(reverse("zhunru_complaint_triage", args=[role_world["complaint"].pk]))
    assert triage.status_code == 200 and "某街道办事处" in triage.content.decode()
    assert 'name="action"' not in triage.content.decode()  # no accept, reject or result form


def test_every_write_by_the_auditor_is_refused_and_changes_nothing(client, role_world):
    from zhunru.leads.models import Lead

    lead, case, commitment, outbound = (role_world[k] for k in ("lead", "case", "commitment", "outbound"))
    events = lead.events.count()
    client.force_login(role_world["auditor"])
    posts = [
        *(reverse("zhunru_lead_action", args=[lead.pk, action]) for action in ("accept", "escalate", "urge")),
        reverse(Lead.snippet_viewset.get_url_name("edit"), args=[lead.pk]),
        reverse("zhunru_case_action", args=[case.pk, "register"]),
        reverse("zhunru_credit_fulfil", args=[commitment.pk]),
        reverse("zhunru_credit_resend", args=[outbound.pk]),
        reverse("zhunru_jurisdiction_settings", args=[role_world["jurisdiction"].pk]),
        reverse("zhunru_jurisdiction_user_add"),
        reverse("zhunru_complaint_triage", args=[role_world["complaint"].pk]),
    ]
    for url in posts:
        response = client.post(url, {"note": "审计员试图办理", "reason": "审计员试图办理", "title": "篡改"})
        assert response.status_code == 403, (url, response.status_code)
    assert (_fresh(lead).state, _fresh(lead).title, lead.events.count()) == (lead.state, lead.title, events)
    assert (_fresh(case).status, _fresh(commitment).status, _fresh(outbound).status) == (
        case.status, commitment.status, outbound.status)
    assert _fresh(role_world["complaint"]).status == role_world["complaint"].status
    # Their own notification preference is theirs to set.
    assert client.post(reverse("zhunru_notification_preference"), {}).status_code != 403


def test_model_methods_refuse_the_auditor(role_world):
    auditor = role_world["auditor"]
    with pytest.raises(PermissionDenied):
        role_world["lead"].accept(by=auditor)
    with pytest.raises(PermissionDenied):
        role_world["lead"].urge(by=auditor)
    with pytest.raises(PermissionDenied):
        role_world["case"].register(by=auditor)
    with pytest.raises(PermissionDenied):
        role_world["commitment"].fulfil(by=auditor)


def test_a_department_officer_acts_only_on_their_departments_items(client, role_world):
    lead, case, commitment = role_world["lead"], role_world["case"], role_world["commitment"]
    officer_a, officer_b = role_world["officer_a"], role_world["officer_b"]
    # 乙's officer: 甲's lead, case and commitment are out of reach (404 at the URL, refused in the model).
    client.force_login(officer_b)
    assert client.post(reverse("zhunru_lead_action", args=[lead.pk, "accept"])).status_code == 404
    assert client.post(reverse("zhunru_credit_fulfil", args=[commitment.pk])).status_code == 404
    assert lead.allowed_actions(officer_b) == set()
    with pytest.raises(PermissionDenied):
        lead.accept(by=officer_b)
    with pytest.raises(PermissionDenied):
        commitment.fulfil(by=officer_b)
    # 甲's officer reports cases but does not keep the register; they may take their lead's steps.
    with pytest.raises(PermissionDenied):
        case.register(by=officer_a)
    assert _fresh(case).status == case.status
    assert {"accept", "verify"} <= lead.allowed_actions(officer_a)
    assert commitment.may_handle(officer_a) and not commitment.may_handle(officer_b)
