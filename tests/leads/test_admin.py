"""Admin and API: department scoping, the timeline, the dashboard, the XLSX export, entering a holiday year."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from zhunru.audit.models import AuditEvent
from zhunru.leads.models import HolidayYear, LeadReport, LeadStage
from zhunru.leads.recompute import recompute_open_due_times

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_leads(make_lead, depts, people):
    a = make_lead(title="甲线索：限定本地企业投标")
    b = make_lead(title="乙线索：违规设置备案")
    a.transfer(to=depts["market"], by=people["coordinator"])
    b.transfer(to=depts["housing"], by=people["coordinator"])
    return a, b


def test_officer_sees_only_its_departments_leads_in_admin_and_api(client, two_leads, people):
    a, b = two_leads
    client.force_login(people["market"])
    html = client.get(reverse("wagtailsnippets_zhunru_leads_lead:list")).content.decode()
    assert "甲线索" in html and "乙线索" not in html
    assert client.get(reverse("zhunru_lead_timeline", args=[a.pk])).status_code == 200
    assert client.get(reverse("zhunru_lead_timeline", args=[b.pk])).status_code == 404
    data = client.get("/api/v1/leads/").json()
    assert [row["id"] for row in data] == [a.pk]
    assert client.get(f"/api/v1/leads/{b.pk}").status_code == 404
    assert client.get(f"/api/v1/leads/{a.pk}").json()["stages"][1]["kind"] == "verify"
    client.logout()
    assert client.get("/api/v1/leads/").status_code == 401


def test_coordinator_list_filters_and_dashboard(client, two_leads, people):
    a, b = two_leads
    LeadStage.objects.filter(lead=b, completed_at__isnull=True).update(due_at=local(2020, 1, 1))
    client.force_login(people["coordinator"])
    url = reverse("wagtailsnippets_zhunru_leads_lead:list")
    html = client.get(url).content.decode()
    assert "甲线索" in html and "乙线索" in html
    html = client.get(url, {"overdue": "true"}).content.decode()
    assert "乙线索" in html and "甲线索" not in html
    dash = client.get(reverse("zhunru_lead_dashboard"))
    assert dash.status_code == 200
    body = dash.content.decode()
    assert "<svg" in body and "逾期清单" in body and "乙线索" in body
    assert "已逾期" in body and reverse("zhunru_lead_action", args=[b.pk, "urge"]) in body  # 催办 from the list
    client.force_login(people["market"])
    assert client.get(reverse("zhunru_lead_dashboard")).status_code in (302, 403)  # Wagtail redirects on PermissionDenied


def test_timeline_actions_and_explanations(client, make_lead, depts, people):
    lead = make_lead(received_at=local(2026, 9, 24, 15))
    client.force_login(people["coordinator"])
    page = client.get(reverse("zhunru_lead_timeline", args=[lead.pk])).content.decode()
    assert "起算日不计入" in page and "中秋节" in page
    client.post(reverse("zhunru_lead_action", args=[lead.pk, "transfer"]), {"department": depts["market"].pk})
    lead.refresh_from_db()
    assert lead.state == "transferred"
    client.force_login(people["market"])
    r = client.post(reverse("zhunru_lead_action", args=[lead.pk, "close"]), follow=True)
    assert "操作未完成" in r.content.decode()
    client.post(reverse("zhunru_lead_action", args=[lead.pk, "verify"]), {
        "findings": "属实", "needs_rectification": "1", "department": depts["housing"].pk, "opinion": "删除条款"})
    lead.refresh_from_db()
    assert lead.state == "rectifying"
    report = LeadReport.objects.get(lead=lead)
    pdf = SimpleUploadedFile("核查材料.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")
    client.post(reverse("zhunru_lead_report_evidence", args=[report.pk]), {"file": pdf})
    attachment = report.attachments.get()
    assert len(attachment.sha256) == 64 and attachment.department == depts["market"]
    assert client.get(reverse("zhunru_attachment_download", args=[attachment.uuid])).status_code == 200
    client.force_login(people["justice"])
    assert client.get(reverse("zhunru_attachment_download", args=[attachment.uuid])).status_code == 403
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client.force_login(people["market"])
    r = client.post(reverse("zhunru_lead_report_evidence", args=[report.pk]), {"file": fake}, follow=True)
    assert "上传失败" in r.content.decode() and report.attachments.count() == 1


def test_export_is_recorded(client, two_leads, people):
    client.force_login(people["coordinator"])
    r = client.get(reverse("zhunru_lead_export"))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["B1"].value == "线索编号"
    assert {ws.cell(row=i, column=5).value for i in (2, 3)} == {"甲线索：限定本地企业投标", "乙线索：违规设置备案"}
    assert AuditEvent.objects.filter(action="lead.export", actor=people["coordinator"]).exists()
    client.force_login(people["market"])
    assert client.get(reverse("zhunru_lead_export")).status_code in (302, 403)


def test_entering_a_year_in_the_admin(client, make_lead, people, make_user):
    lead = make_lead(received_at=local(2026, 12, 31, 10))
    assert lead.current_stage().provisional
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    home = client.get("/admin/").content.decode()
    assert "2027年节假日安排尚未录入" in home
    r = client.post(reverse("wagtailsnippets_zhunru_leads_holidayyear:add"), {
        "year": "2027", "notice": "国务院办公厅关于2027年部分节假日安排的通知", "notice_url": "", "note": "",
        "ranges-TOTAL_FORMS": "1", "ranges-INITIAL_FORMS": "0", "ranges-MIN_NUM_FORMS": "0", "ranges-MAX_NUM_FORMS": "1000",
        "ranges-0-kind": "holiday", "ranges-0-name": "元旦", "ranges-0-start": "2027-01-01", "ranges-0-end": "2027-01-03",
        "ranges-0-id": "", "ranges-0-ORDER": "0", "ranges-0-DELETE": "",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    assert HolidayYear.objects.get(year=2027).ranges.count() == 1
    recompute_open_due_times()  # what the enqueued actor does
    stage = lead.current_stage()
    assert not stage.provisional and stage.due_date == datetime.date(2027, 1, 4)
    assert "2027年节假日安排尚未录入" not in client.get("/admin/").content.decode()


def test_the_national_calendar_is_entered_by_an_administrator_only(client, make_lead, people):
    """Every office counts on the State Council's calendar: a coordinator is told the year is missing and whom to
    ask, and can neither enter nor change a year (their own rest days are 辖区节假日调整)."""
    make_lead(received_at=local(2026, 12, 31, 10))
    client.force_login(people["coordinator"])
    home = client.get("/admin/").content.decode()
    assert "2027年节假日安排尚未录入" in home and "请联系系统管理员录入" in home
    assert reverse("wagtailsnippets_zhunru_leads_holidayyear:add") not in home
    r = client.post(reverse("wagtailsnippets_zhunru_leads_holidayyear:add"), {
        "year": "2027", "notice": "伪造的通知", "notice_url": "", "note": "",
        "ranges-TOTAL_FORMS": "0", "ranges-INITIAL_FORMS": "0", "ranges-MIN_NUM_FORMS": "0",
        "ranges-MAX_NUM_FORMS": "1000"})
    assert r.status_code in (302, 403) and not HolidayYear.objects.filter(year=2027).exists()
    year = HolidayYear.objects.create(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知")
    r = client.post(reverse("wagtailsnippets_zhunru_leads_holidayyear:edit", args=[year.pk]),
                    {"year": "2027", "notice": "伪造的通知", "notice_url": "", "note": "",
                     "ranges-TOTAL_FORMS": "0", "ranges-INITIAL_FORMS": "0", "ranges-MIN_NUM_FORMS": "0",
                     "ranges-MAX_NUM_FORMS": "1000"})
    assert r.status_code in (302, 403)
    year.refresh_from_db()
    assert year.notice == "国务院办公厅关于2027年部分节假日安排的通知"
    assert client.get(reverse("wagtailsnippets_zhunru_leads_holidayyear:list")).status_code == 200  # still reads


def test_registering_a_lead_in_the_admin_opens_the_transfer_stage(client, jurisdiction, depts, people):
    client.force_login(people["coordinator"])
    r = client.post(reverse("wagtailsnippets_zhunru_leads_lead:add"), {
        "jurisdiction": jurisdiction.pk, "source": "municipal", "received_at": "2026-09-24 15:00:00",
        "title": "市级移交：某镇限定外地企业", "description": "", "reporter": "市发展改革委",
        "subject_name": "", "subject_uscc": "",
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    from zhunru.leads.models import Lead

    lead = Lead.objects.get(title="市级移交：某镇限定外地企业")
    assert lead.created_by == people["coordinator"]
    assert lead.current_stage().due_date == datetime.date(2026, 9, 28)
    assert lead.events.get().action == "received"
    r = client.post(reverse("wagtailsnippets_zhunru_leads_lead:add"), {
        "jurisdiction": jurisdiction.pk, "source": "municipal", "received_at": "2026-09-24 15:00:00",
        "title": "坏代码", "subject_uscc": "91360200MA12345678"})
    assert r.status_code == 200 and "统一社会信用代码" in r.content.decode()
    assert not Lead.objects.filter(title="坏代码").exists()
    client.force_login(people["market"])
    assert client.get(reverse("wagtailsnippets_zhunru_leads_lead:add")).status_code in (302, 403)


def test_api_due(client, people):
    client.force_login(people["market"])
    data = client.get("/api/v1/leads/due", {"start": "2026-09-24", "amount": 1, "unit": "working"}).json()
    assert data["due_date"] == "2026-09-28" and data["provisional"] is False and "中秋节" in data["explanation"]
    r = client.get("/api/v1/leads/due", {"start": "2026-09-24", "amount": 1, "unit": "weeks"})
    assert r.status_code == 400 and "期限单位" in r.json()["detail"]


def test_editing_a_lead_keeps_its_jurisdiction(client, make_lead, people, make_department):
    from zhunru.models import Department, Jurisdiction

    lead = make_lead(title="原标题")
    other = Jurisdiction.objects.create(name="另一区", short_name="另", level="district", division_code="360298")
    Department.objects.create(jurisdiction=other, name="另一区发改委", is_lead=True)
    client.force_login(people["coordinator"])
    r = client.post(reverse("wagtailsnippets_zhunru_leads_lead:edit", args=[lead.pk]), {
        "jurisdiction": other.pk, "source": lead.source, "received_at": "2026-09-24 15:00:00", "title": "新标题",
        "description": "", "reporter": "", "subject_name": "", "subject_uscc": ""})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.title == "新标题" and lead.jurisdiction_id != other.pk


def test_the_dashboard_filters_by_period_department_and_state(client, two_leads, people, depts):
    a, b = two_leads
    client.force_login(people["coordinator"])
    url = reverse("zhunru_lead_dashboard")
    body = client.get(url, {"department": depts["market"].pk}).content.decode()
    assert "共 1 条线索" in body and "各部门按时办结率" in body
    assert "共 2 条线索" in client.get(url, {"state": "transferred"}).content.decode()
    assert "共 0 条线索" in client.get(url, {"state": "closed"}).content.decode()
    assert "共 0 条线索" in client.get(url, {"end": "2000-01-01"}).content.decode()
    for bad in ({"start": "昨天"}, {"department": "abc"}, {"state": "lost"}):
        response = client.get(url, bad)
        assert response.status_code == 400 and "help-critical" in response.content.decode()
