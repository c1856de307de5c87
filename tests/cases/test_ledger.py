import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.cases.models import Case, InspectionCampaign, LedgerEntry, Status
from zhunru.workers.tasks import cases as case_tasks

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def campaign(jurisdiction, officer_department):
    c = InspectionCampaign.objects.create(
        jurisdiction=jurisdiction,
        title="2026年市场准入政策文件自查",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 5, 31),
    )
    c.departments.set([officer_department])
    return c


@pytest.fixture
def make_entry(campaign, officer_department):
    def make(**kwargs):
        defaults = {
            "campaign": campaign,
            "department": officer_department,
            "responsible_unit": officer_department,
            "problem": "某文件要求经营者在本地设立分支机构",
            "basis": "《市场准入负面清单（2025年版）》",
            "measure": "修订文件，删除相关条款",
            "deadline": datetime.date(2026, 4, 30),
        }
        defaults.update(kwargs)
        return LedgerEntry.objects.create(**defaults)

    return make


@pytest.mark.django_db
def test_campaign_validation(jurisdiction):
    campaign = InspectionCampaign(jurisdiction=jurisdiction, title="x", starts_on=datetime.date(2026, 5, 1),
                                  ends_on=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert "结束日期" in str(error.value)
    campaign = InspectionCampaign(jurisdiction=jurisdiction, title="x", starts_on=datetime.date(2026, 4, 1),
                                  ends_on=datetime.date(2026, 5, 1), scope_policy_documents=False,
                                  scope_approval_processes=False)
    with pytest.raises(ValidationError):
        campaign.clean()


@pytest.mark.django_db
def test_ledger_is_department_scoped(make_entry, make_department, make_user, officer_department, coordinator):
    other = make_department("测试区商务局")
    mine = make_entry()
    assigned_to_me = make_entry(department=other, responsible_unit=officer_department, problem="他局发现、我局整改")
    theirs = make_entry(department=other, responsible_unit=other, problem="与我无关")
    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])
    assert set(LedgerEntry.objects.visible_to(officer)) == {mine, assigned_to_me}
    assert set(LedgerEntry.objects.visible_to(coordinator)) == {mine, assigned_to_me, theirs}
    evidence = theirs.add_evidence(SimpleUploadedFile("整改.pdf", PDF))
    assert evidence.department == other
    assert not theirs.attachment_visible_to(officer) and mine.attachment_visible_to(officer)


@pytest.mark.django_db
def test_overdue_entries_are_reminded_once_a_day(make_entry, make_user, officer_department,
                                                 django_capture_on_commit_callbacks):
    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])
    overdue = make_entry()
    make_entry(problem="未到期", deadline=datetime.date(2026, 6, 30))
    done = make_entry(problem="已整改")
    done.set_status(LedgerEntry.Status.RECTIFIED, result="已修订")
    today = datetime.date(2026, 5, 10)
    assert list(LedgerEntry.objects.overdue(today)) == [overdue]

    from zhunru.cases.reminders import remind_overdue_ledger_entries

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_ledger_entries(today) == 1
        assert remind_overdue_ledger_entries(today) == 0  # idempotent within the day
    [message] = mail.outbox
    assert officer.email in message.to and "超过整改期限 10 天" in message.body
    assert AuditEvent.objects.filter(action="ledger.overdue_reminder", object_id=str(overdue.pk)).count() == 1
    case_tasks.remind_overdue_ledger_entries()  # the actor runs with today's date without error


@pytest.mark.django_db
def test_working_day_deadlines_use_the_lead_calendar(jurisdiction):
    from zhunru.cases.integrations import _leads_attr

    if _leads_attr("calendar", "compute_due") is None:
        pytest.skip("zhunru.leads.calendar not installed")
    start = datetime.date(2026, 4, 30)  # Thursday before Labour Day
    due = LedgerEntry.deadline_after(start, 1, working_days=True, jurisdiction=jurisdiction)
    assert due > start + datetime.timedelta(days=1)  # 5-1 is a holiday, so one working day lands later
    # A calendar-day period ending on a holiday runs to the next working day (民法典 第二百零三条).
    assert LedgerEntry.deadline_after(start, 1, working_days=False) > datetime.date(2026, 5, 1)


@pytest.mark.django_db
def test_deadline_from_time_limit(make_entry):
    from django.utils import timezone

    from zhunru.cases.integrations import _leads_attr

    if _leads_attr("calendar", "compute_due") is None:
        pytest.skip("zhunru.leads.calendar not installed")
    created = timezone.make_aware(datetime.datetime(2026, 9, 30, 10, 0))
    entry = make_entry(deadline=None, time_limit_days=3, time_limit_unit="working", created_at=created)
    assert entry.deadline > datetime.date(2026, 10, 3)  # National Day holidays are not counted
    assert entry.deadline.weekday() < 5 or entry.deadline_provisional is False
    with pytest.raises(ValidationError):
        LedgerEntry(department=entry.department, responsible_unit=entry.responsible_unit, problem="x",
                    basis="y").clean()


@pytest.mark.django_db
def test_status_only_moves_forward(make_entry):
    entry = make_entry()
    entry.set_status(LedgerEntry.Status.RECTIFYING)
    entry.set_status(LedgerEntry.Status.RECTIFIED, result="完成")
    assert entry.rectified_on is not None
    with pytest.raises(ValidationError):
        entry.set_status(LedgerEntry.Status.OPEN)


@pytest.mark.django_db
def test_promote_finding_to_case_in_one_step(make_entry, coordinator):
    entry = make_entry()
    case = entry.promote_to_case(by=coordinator, category="entry_conditions", subcategory="extra_approval")
    assert case.status == Status.REPORTED
    assert case.summary == entry.problem and case.violated_clause == entry.basis
    assert case.reporting_department == entry.department
    entry.refresh_from_db()
    assert entry.promoted_case == case
    with pytest.raises(ValidationError):
        entry.promote_to_case(by=coordinator, category="entry_conditions")
    assert Case.objects.count() == 1
    case.register(by=coordinator)  # and it enters the register like any reported case


@pytest.mark.django_db
def test_promote_finding_to_lead_in_one_step(make_entry, coordinator):
    from zhunru.leads.models import Lead

    entry = make_entry()
    case = entry.promote_to_case(by=coordinator, category="entry_conditions")
    lead = entry.promote_to_lead(by=coordinator)
    assert lead.source == Lead.Source.INSPECTION and lead.jurisdiction == entry.department.jurisdiction
    assert entry.problem in lead.description and lead.title == entry.problem
    assert entry.promoted_lead() == lead
    assert list(case.leads.all()) == [lead]  # the case and the lead from one finding are linked
    with pytest.raises(ValidationError):
        entry.promote_to_lead(by=coordinator)
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_promote_to_lead_from_admin(client, make_entry, coordinator):
    from zhunru.leads.models import Lead

    entry = make_entry()
    client.force_login(coordinator)
    if not coordinator.has_perm("zhunru_leads.add_lead"):
        pytest.skip("the lead tracker does not grant coordinators add_lead")
    assert "转为线索" in client.get("/admin/snippets/zhunru_cases/ledgerentry/").content.decode()
    assert client.post(f"/admin/cases/ledger/{entry.pk}/promote-lead/").status_code == 302
    assert Lead.objects.filter(source=Lead.Source.INSPECTION).count() == 1


@pytest.mark.django_db
def test_provisional_deadline_is_recomputed_when_the_year_is_entered(make_entry):
    from django.utils import timezone

    from zhunru.cases.reminders import recompute_provisional_deadlines
    from zhunru.leads.calendar import package_years
    from zhunru.leads.models import HolidayYear

    unknown = package_years()[1] + 1
    created = timezone.make_aware(datetime.datetime(unknown - 1, 12, 28, 9, 0))
    entry = make_entry(deadline=None, time_limit_days=10, time_limit_unit="working", created_at=created)
    assert entry.deadline_provisional and entry.deadline.year == unknown

    HolidayYear.objects.create(year=unknown, notice=f"国务院办公厅关于{unknown}年部分节假日安排的通知")
    assert recompute_provisional_deadlines() == 1
    entry.refresh_from_db()
    assert not entry.deadline_provisional
    assert AuditEvent.objects.filter(action="ledger.deadline_recomputed", object_id=str(entry.pk)).exists()
