"""The lead state machine: legal paths, illegal transitions, permissions, extensions, audit."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhunru.audit.models import AuditEvent
from zhunru.leads.models import CoHandling, Extension, Lead, LeadStage, LeadTransitionError
from zhunru.leads.signals import lead_transitioned

from .conftest import local

pytestmark = pytest.mark.django_db


def test_full_path_records_every_step(make_lead, depts, people):
    seen = []
    lead_transitioned.connect(lambda sender, action, **kw: seen.append(action), weak=False, dispatch_uid="t-seen")
    try:
        lead = make_lead()
        assert lead.state == Lead.State.RECEIVED
        transfer = lead.stages.get()
        assert transfer.kind == LeadStage.Kind.TRANSFER and transfer.limit_amount == 1 and transfer.limit_unit == "working"
        lead.transfer(to=depts["market"], by=people["coordinator"])
        verify = lead.stages.get(kind=LeadStage.Kind.VERIFY)
        assert (verify.limit_amount, verify.limit_unit, verify.department) == (3, "working", depts["market"])
        lead.accept(by=people["market"])
        lead.verify(by=people["market"], findings="招标文件第三条要求本地注册", responsible_unit=depts["housing"],
                    opinion="删除本地注册要求")
        rectify = lead.stages.get(kind=LeadStage.Kind.RECTIFY)
        assert (rectify.limit_amount, rectify.limit_unit, rectify.department) == (7, "calendar", depts["housing"])
        lead.report(by=people["housing"], summary="已修改招标文件")
        lead.return_for_rework(by=people["coordinator"], note="未附修改后的文件")
        assert lead.state == Lead.State.RECTIFYING and lead.stages.filter(kind="rectify").count() == 2
        lead.report(by=people["housing"], summary="已附修改后的文件")
        lead.close(by=people["coordinator"], note="办结")
    finally:
        lead_transitioned.disconnect(dispatch_uid="t-seen")
    lead.refresh_from_db()
    assert lead.state == Lead.State.CLOSED
    actions = list(lead.events.values_list("action", flat=True))
    assert actions == ["received", "transferred", "accepted", "verified", "reported", "returned", "reported", "closed"]
    assert seen == actions
    assert not lead.stages.filter(completed_at__isnull=True).exists()
    audited = AuditEvent.objects.filter(object_type="zhunru_leads.lead", object_id=str(lead.pk))
    assert set(audited.values_list("action", flat=True)) >= {"lead.transferred", "lead.closed", "lead.returned"}
    assert lead.events.get(action="transferred").actor == people["coordinator"]


def test_transfer_due_time_uses_the_calendar(make_lead, depts):
    # Received Thu 2026-09-24 15:00: 1 working day → Mon 09-28 (Mid-autumn Fri, weekend).
    lead = make_lead(received_at=local(2026, 9, 24, 15))
    stage = lead.stages.get()
    assert stage.due_date == datetime.date(2026, 9, 28)
    assert stage.due_at == local(2026, 9, 29, 0, 0)
    assert any("中秋节" in line for line in stage.explain())
    assert any("起算日不计入" in line for line in stage.explain())


def test_illegal_transitions_raise_chinese_errors(make_lead, depts, people):
    lead = make_lead()
    with pytest.raises(LeadTransitionError, match="不能办结"):
        lead.close(by=people["coordinator"])
    with pytest.raises(LeadTransitionError, match="不能报告整改情况"):
        lead.report(by=people["coordinator"], summary="x")
    lead.transfer(to=depts["market"], by=people["coordinator"])
    with pytest.raises(LeadTransitionError, match="不能移交"):
        lead.transfer(to=depts["market"], by=people["coordinator"])
    with pytest.raises(LeadTransitionError, match="责任单位"):
        lead.verify(by=people["market"], findings="有问题", opinion="整改")
    with pytest.raises(LeadTransitionError, match="核查结论"):
        lead.verify(by=people["market"], findings=" ", needs_rectification=False)
    lead.refresh_from_db()
    assert lead.state == Lead.State.TRANSFERRED


def test_permissions(make_lead, depts, people):
    lead = make_lead()
    with pytest.raises(PermissionDenied):
        lead.transfer(to=depts["market"], by=people["market"])
    lead.transfer(to=depts["market"], by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        lead.accept(by=people["housing"])
    with pytest.raises(PermissionDenied):
        lead.close(by=people["market"])
    assert lead.events.count() == 2


def test_extension_needs_the_approver_role(make_lead, depts, people):
    lead = make_lead(received_at=local(2026, 3, 2, 9))
    lead.transfer(to=depts["market"], by=people["coordinator"])
    stage = lead.current_stage()
    old_due = stage.due_at
    ext = lead.request_extension(by=people["market"], days=5, reason="涉及多个部门，需联合调查")
    with pytest.raises(LeadTransitionError, match="待审批"):
        lead.request_extension(by=people["market"], days=2, reason="再延")
    with pytest.raises(PermissionDenied, match="延期"):
        lead.approve_extension(by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        lead.approve_extension(by=people["market"])
    lead.approve_extension(by=people["approver"], note="同意")
    ext.refresh_from_db()
    stage.refresh_from_db()
    assert ext.status == Extension.Status.APPROVED
    assert stage.due_at > old_due and ext.new_due_at == stage.due_at
    assert len(stage.explain()) == 2
    lead.request_extension(by=people["market"], days=3, reason="再次申请")
    with pytest.raises(LeadTransitionError, match="说明理由"):
        lead.reject_extension(by=people["approver"], note="")
    lead.reject_extension(by=people["approver"], note="理由不充分")
    assert lead.extensions.filter(status="rejected").count() == 1
    with pytest.raises(LeadTransitionError, match="没有待审批"):
        lead.approve_extension(by=people["approver"])


def test_approved_extension_with_explicit_date(make_lead, depts, people):
    lead = make_lead(received_at=local(2026, 3, 2, 9))
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.request_extension(by=people["market"], days=5, reason="需要征询意见")
    lead.approve_extension(by=people["approver"], new_due_date=datetime.date(2099, 3, 20))
    assert lead.current_stage().due_date == datetime.date(2099, 3, 20)


def test_uscc_is_validated(jurisdiction):
    with pytest.raises(ValidationError):
        Lead.objects.create_lead(jurisdiction=jurisdiction, source="complaint", title="x", subject_uscc="91360200MA12345678")
    assert not Lead.objects.exists()


def test_collaboration(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        CoHandling.set_up(lead, department=depts["justice"], task="审查合法性", method="joint_investigation",
                          form="letter", limit_amount=3, by=people["housing"])
    co = CoHandling.set_up(lead, department=depts["justice"], task="审查招标文件合法性", duties="司法局负责合法性审查",
                           method="joint_investigation", form="letter", limit_amount=3, by=people["market"])
    assert co.due_at > timezone.now()
    with pytest.raises(LeadTransitionError, match="已是"):
        CoHandling.set_up(lead, department=depts["justice"], task="x", method="joint_investigation", form="letter",
                          limit_amount=3, by=people["market"])
    with pytest.raises(PermissionDenied):
        co.respond(answer="意见", by=people["housing"])
    co.respond(answer="第三条违反公平竞争审查规定", by=people["justice"])
    with pytest.raises(LeadTransitionError):
        co.respond(answer="再答", by=people["justice"])
    assert Lead.objects.visible_to(people["justice"]).filter(pk=lead.pk).exists()
    assert list(lead.events.values_list("action", flat=True))[-2:] == ["co_handler_added", "co_handler_answered"]


def test_scoping(make_lead, depts, people):
    a = make_lead(title="甲")
    b = make_lead(title="乙")
    a.transfer(to=depts["market"], by=people["coordinator"])
    b.transfer(to=depts["housing"], by=people["coordinator"])
    assert list(Lead.objects.visible_to(people["market"])) == [a]
    assert list(Lead.objects.visible_to(people["housing"])) == [b]
    assert set(Lead.objects.visible_to(people["coordinator"])) == {a, b}


def test_create_from_complaint_is_idempotent(jurisdiction, people):
    portal = pytest.importorskip("zhunru.portal.models")
    complaint = portal.Complaint.objects.create(
        jurisdiction=jurisdiction, description="招标公告要求投标人在本地注册。", organization="某街道办事处",
        document_or_practice="物业服务招标公告", submission_token=uuid.uuid4())
    lead = Lead.objects.create_from_complaint(complaint, by=people["coordinator"])
    assert lead.source == Lead.Source.COMPLAINT and lead.title == "公众投诉：某街道办事处：物业服务招标公告"
    assert lead.subject_name == "某街道办事处" and lead.received_at == complaint.submitted_at
    assert lead.current_stage().kind == "transfer"
    assert Lead.from_complaint(complaint) == lead
    assert Lead.objects.count() == 1


def test_second_extension_adds_up(make_lead, depts, people):
    lead = make_lead(received_at=local(2026, 3, 2, 9))
    lead.transfer(to=depts["market"], by=people["coordinator"])
    stage = lead.current_stage()
    stage.started_at = local(2026, 3, 2, 9)
    stage.compute()
    stage.save()
    assert stage.due_date == datetime.date(2026, 3, 5)
    lead.request_extension(by=people["market"], days=2, reason="一")
    lead.approve_extension(by=people["approver"])
    assert lead.current_stage().due_date == datetime.date(2026, 3, 9)  # Fri 03-06, Mon 03-09
    lead.request_extension(by=people["market"], days=1, reason="二")
    lead.approve_extension(by=people["approver"])
    assert lead.current_stage().due_date == datetime.date(2026, 3, 10)
    assert lead.current_stage().extension_amount == 3
