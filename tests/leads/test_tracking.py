"""The deadline scan: reminders once, overdue marking, escalation by rule; recomputation after calendar changes."""

import datetime

import pytest
from django.utils import timezone

from zhunru.leads.models import CalendarRange, Escalation, HolidayYear, LeadEvent, LeadStage, Notification
from zhunru.leads.recompute import recompute_open_due_times
from zhunru.leads.tracking import scan_deadlines
from zhunru.workers.tasks.deadlines import recompute_due_times, scan_lead_deadlines

from .conftest import local

pytestmark = pytest.mark.django_db


def test_reminders_are_sent_once(make_lead, depts, people, mailoutbox, django_capture_on_commit_callbacks):
    # Received Mon 2026-03-02 09:00, transferred at once: verify due Thu 03-05 24:00 (3 working days).
    lead = make_lead(received_at=local(2026, 3, 2, 9))
    lead.transfer(to=depts["market"], by=people["coordinator"])
    stage = lead.current_stage()
    stage.started_at = local(2026, 3, 2, 9)
    stage.compute()
    stage.save()
    LeadStage.objects.filter(kind="transfer").update(completed_at=local(2026, 3, 2, 10))
    assert stage.due_at == local(2026, 3, 6, 0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        soon = scan_deadlines(local(2026, 3, 4, 9))  # past half of the period
    assert soon.due_soon == 1 and soon.notifications == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = scan_deadlines(local(2026, 3, 4, 10))
    assert again.notifications == 0 and again.due_soon == 0
    with django_capture_on_commit_callbacks(execute=True):
        today = scan_deadlines(local(2026, 3, 5, 8))
    assert today.due_today == 1
    with django_capture_on_commit_callbacks(execute=True):
        late = scan_deadlines(local(2026, 3, 6, 9))
    assert late.overdue == 1
    assert late.notifications == 2  # the market officer and the coordinator
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_deadlines(local(2026, 3, 6, 10)).notifications == 0
    stage.refresh_from_db()
    assert stage.overdue_marked_at is not None
    assert Notification.objects.filter(recipient=people["market"], key__startswith="lead-stage:").count() == 3
    assert len(mailoutbox) == 4
    assert all("线索" in m.subject for m in mailoutbox)
    assert lead.events.filter(action="overdue").count() == 1
    assert list(type(lead).objects.overdue(local(2026, 3, 6, 10))) == [lead]


def test_escalation_by_rule(make_lead, depts, people, django_capture_on_commit_callbacks):
    lead = make_lead(received_at=local(2026, 3, 2, 9))  # transfer due Tue 03-03 24:00
    stage = lead.current_stage()
    # Escalates after 2 more working days: Thu 03-05 24:00.
    assert stage.escalate_at == local(2026, 3, 6, 0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        scan_deadlines(local(2026, 3, 5, 12))
    assert not Escalation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        result = scan_deadlines(local(2026, 3, 6, 9))
    assert result.escalated == 1
    esc = Escalation.objects.get()
    assert esc.level == 1 and "通报" in esc.circulation_draft
    assert Notification.objects.filter(recipient=people["gov"], key=f"lead-escalation:{esc.pk}").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_deadlines(local(2026, 3, 7, 9)).escalated == 0
    lead.refresh_from_db()
    assert lead.escalation_level == 1


def test_actor_runs_as_plain_function(make_lead):
    make_lead(received_at=timezone.now() - datetime.timedelta(days=30))
    scan_lead_deadlines()
    scan_lead_deadlines()
    assert LeadEvent.objects.filter(action="overdue").count() == 1
    assert Escalation.objects.count() == 1


def test_entering_an_unknown_year_recomputes_provisional_stages(make_lead):
    lead = make_lead(received_at=local(2026, 12, 31, 10))  # 1 working day → 2027-01-01, unknown year
    stage = lead.current_stage()
    assert stage.provisional and stage.due_date == datetime.date(2027, 1, 1)
    year = HolidayYear.objects.create(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarRange.objects.create(holiday_year=year, name="元旦", start=datetime.date(2027, 1, 1), end=datetime.date(2027, 1, 3))
    assert recompute_open_due_times() == 1
    stage.refresh_from_db()
    assert not stage.provisional and stage.due_date == datetime.date(2027, 1, 4)
    event = lead.events.get(action="due_recomputed")
    assert "2027-01-05 00:00" in event.note and "临时" in event.note
    assert recompute_open_due_times() == 0


@pytest.mark.django_db(transaction=True)
def test_calendar_change_enqueues_recompute(make_lead, broker, worker):
    lead = make_lead(received_at=local(2026, 12, 31, 10))
    HolidayYear.objects.create(year=2027)  # autocommit: on_commit fires at once
    broker.join(recompute_due_times.queue_name, timeout=30_000)
    worker.join()
    stage = lead.current_stage()
    assert not stage.provisional


def test_co_handling_overdue_is_told_once_then_escalated(make_lead, depts, people, django_capture_on_commit_callbacks):
    from zhunru.leads.models import CoHandling

    lead = make_lead(received_at=local(2026, 3, 2, 9))
    lead.transfer(to=depts["market"], by=people["coordinator"])
    co = CoHandling.set_up(lead, department=depts["justice"], task="审查招标文件条款", method="joint_investigation",
                           form="letter", limit_amount=3, by=people["market"])
    co.started_at = local(2026, 3, 2, 9)
    co.compute()
    co.save()
    assert co.due_at == local(2026, 3, 6, 0, 0) and co.escalate_at > co.due_at
    LeadStage.objects.filter(lead=lead).update(due_at=local(2027, 1, 1), escalate_at=local(2027, 1, 2),
                                               remind_at=local(2027, 1, 1))  # only the co-handling is late

    with django_capture_on_commit_callbacks(execute=True):
        scan_deadlines(local(2026, 3, 6, 9))
        scan_deadlines(local(2026, 3, 6, 10))
    told = Notification.objects.filter(subject__startswith="协办逾期")
    assert set(told.values_list("recipient", flat=True)) == {people["justice"].pk, people["market"].pk,
                                                            people["coordinator"].pk}
    assert not Escalation.objects.filter(lead=lead).exists()

    scan_deadlines(co.escalate_at + datetime.timedelta(minutes=1))
    scan_deadlines(co.escalate_at + datetime.timedelta(minutes=2))
    [escalation] = Escalation.objects.filter(lead=lead)
    assert "测试区司法局逾期未反馈协办任务" in escalation.reason
    co.refresh_from_db()
    assert co.escalated_at is not None


def test_an_answered_co_handling_is_not_chased(make_lead, depts, people):
    from zhunru.leads.models import CoHandling

    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    co = CoHandling.set_up(lead, department=depts["justice"], task="审查招标文件条款", method="joint_investigation",
                           form="letter", limit_amount=3, by=people["market"])
    co.respond(answer="已审查。", by=people["justice"])
    scan_deadlines(co.escalate_at + datetime.timedelta(days=1))
    assert not Notification.objects.filter(subject__startswith="协办逾期").exists()
    assert not Escalation.objects.filter(lead=lead, reason__contains="协办").exists()
