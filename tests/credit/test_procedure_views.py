"""What the credit admin pages (zhunru.credit.procedure_views) tell the person using them: a step that is
refused or incomplete is explained on the page it came from and changes nothing; a 双公示 decision kept back
is shared once it is complete, once; a withdrawal needs a reason; an import names what is wrong before any
file is read; other jurisdictions' records are 404."""

import io
from datetime import date

import pytest
from django.contrib.messages import get_messages

from tests.credit.test_disclosure import _signed_record, penalty
from tests.credit.test_procedure import grant
from zhunru import roles
from zhunru.credit import procedure, repair
from zhunru.credit.models import BreachProcedure, OutboundRecord, PublicDecision, RepairApplication


def _said(response) -> str:
    """The newest message the next page shows (Wagtail's admin messages; the test follows no redirect, so
    earlier ones are still waiting to be shown)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def coordinator(make_user, jurisdiction):
    return make_user("pv-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])


@pytest.fixture
def outsider(make_user):
    """A coordinator of another county."""
    from zhunru.models import Department, Jurisdiction

    other = Jurisdiction.objects.create(name="外县", short_name="外", level="county", division_code="360283")
    dept = Department.objects.create(jurisdiction=other, name="外县发展和改革委员会", is_lead=True)
    return make_user("pv-outsider", groups=[roles.COORDINATOR], departments=[dept])


def test_a_kept_back_decision_is_shared_once_complete_and_withdrawn_only_with_a_reason(
        client, platforms, jurisdiction, make_subject, coordinator, outsider, make_user,
        django_capture_on_commit_callbacks):
    # Given a penalty decision kept back, unqueued, because its 处罚依据 is missing
    d = penalty(jurisdiction, make_subject(), basis="")
    d.save()
    share, withdraw = f"/admin/credit/decisions/{d.pk}/share/", f"/admin/credit/decisions/{d.pk}/withdraw/"
    # Other jurisdictions' coordinators and people who may not change decisions do not find it
    client.force_login(outsider)
    assert client.get(share).status_code == 404 and client.post(withdraw, {"reason": "x"}).status_code == 404
    client.force_login(make_user("pv-editor", groups=[roles.EDITOR]))
    assert client.get(share).status_code == 404

    client.force_login(coordinator)
    page = client.get(share)
    assert page.status_code == 200 and "报送：测发改罚〔2026〕3号" in page.content.decode()
    # When the coordinator shares it as it is, the missing field is named and nothing is queued
    resp = client.post(share)
    assert resp.status_code == 302 and _said(resp) == "双公示信息缺少必填项：处罚依据。"
    d.refresh_from_db()
    assert d.queued_at is None and not OutboundRecord.objects.exists()
    # Once completed, it is queued for both platforms; sharing again queues nothing more
    PublicDecision.objects.filter(pk=d.pk).update(basis="《行政许可法》第六十九条")
    with django_capture_on_commit_callbacks(execute=False):
        assert _said(client.post(share)) == "已加入报送队列。"
        assert _said(client.post(share)) == "该决定已报送。"
    d.refresh_from_db()
    assert d.queued_at is not None and OutboundRecord.objects.filter(kind="penalty").count() == 2

    # A withdrawal without a reason is refused; with one, the decision leaves and the platforms are told
    page = client.get(withdraw)
    assert page.status_code == 200 and "撤下：测发改罚〔2026〕3号" in page.content.decode()
    assert _said(client.post(withdraw, {"reason": "  "})) == "请填写撤下原因。"
    d.refresh_from_db()
    assert d.withdrawn_at is None
    with django_capture_on_commit_callbacks(execute=False):
        assert _said(client.post(withdraw, {"reason": "决定已被复议撤销"})) == "已撤下，并通知信用平台。"
    d.refresh_from_db()
    assert d.withdrawn_at is not None and d.withdraw_reason == "决定已被复议撤销"
    told = OutboundRecord.objects.filter(kind="repair")
    assert told.count() == 2 and {r.payload["reason"] for r in told} == {"决定已被复议撤销"}


def test_a_refused_or_invalid_procedure_step_is_explained_and_changes_nothing(
        client, jurisdiction, make_subject, coordinator, make_user, django_capture_on_commit_callbacks):
    c = grant(make_subject(), jurisdiction)
    with django_capture_on_commit_callbacks(execute=False):
        procedure.open_due(today=date(2026, 11, 23))
    step = f"/admin/credit/commitments/{c.pk}/procedure/"

    # A legal reviewer sees the procedure but may not confirm the rectification
    client.force_login(make_user("pv-legal", groups=[roles.LEGAL_REVIEWER], departments=[jurisdiction.lead_department]))
    resp = client.post(step + "rectified/", {"note": "已补交"})
    assert resp.status_code == 302 and resp.url == step and _said(resp) == "您无权确认该承诺的整改。"

    client.force_login(coordinator)
    assert client.post(step + "approve-everything/").status_code == 404
    # A publicity period that is not a number of months, and a decision drafted before the hearing
    assert _said(client.post(step + "draft/", {"facts": "逾期", "basis": "国办发〔2020〕42号",
                                               "publicity_months": "六"})) == "公示期应为整数月数。"
    assert _said(client.post(step + "draft/", {"facts": "逾期", "basis": "国办发〔2020〕42号",
                                               "publicity_months": ""})) == (
        "当前状态为“责令整改中”，只有“陈述申辩期、决定已起草”时可以执行此操作。")
    proc = BreachProcedure.objects.get(commitment=c)
    assert proc.state == "notice" and not proc.facts
    # No decision is drafted yet, so there is no decision to print
    assert client.get(f"/admin/credit/commitments/{c.pk}/procedure-decision.pdf").status_code == 404
    # The one step offered works and says so
    resp = client.post(step + "rectified/", {"note": "已补交产权证明"})
    assert _said(resp) == "已办理。" and BreachProcedure.objects.get(pk=proc.pk).state == "rectified"


def test_repair_review_page_and_its_refusals(client, jurisdiction, make_subject, coordinator,
                                             django_capture_on_commit_callbacks):
    rec = _signed_record(jurisdiction, make_subject(name="丙公司"))
    with django_capture_on_commit_callbacks(execute=False):
        app = repair.apply(jurisdiction=jurisdiction, uscc=rec.subject.uscc, document_number=rec.document_number,
                           legal_representative="张三", contact_name="王五", contact_phone="1",
                           contact_email="w@example.invalid", rectification="已补交全部材料")
    url = f"/admin/credit/repairs/{app.pk}/review/"
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "信用修复审核：丙公司" in page.content.decode()
    # Without an opinion the page comes back with the reason, the application still pending
    resp = client.post(url, {"decision": "approve", "note": ""})
    assert resp.status_code == 200 and _said(resp) == "请填写审核意见。"
    assert RepairApplication.objects.get(pk=app.pk).status == "pending"
    with django_capture_on_commit_callbacks(execute=False):
        resp = client.post(url, {"decision": "reject", "note": "整改材料不全"})
    assert resp.status_code == 302 and _said(resp) == "已审核。"
    # Reviewing it a second time is refused on the page
    resp = client.post(url, {"decision": "approve", "note": "改为通过"})
    assert resp.status_code == 200 and _said(resp) == "该申请已审核。"
    assert RepairApplication.objects.get(pk=app.pk).status == "rejected"


def _csv(name="decisions.csv", text="行政相对人名称\n") -> io.BytesIO:
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def test_decision_import_names_the_problem_before_importing_anything(client, jurisdiction, coordinator, outsider,
                                                                     make_user):
    url = "/admin/credit/decision-import/"
    client.force_login(make_user("pv-editor2", groups=[roles.EDITOR]))
    refused = client.get(url)  # Wagtail's answer to PermissionDenied in the admin: back to the dashboard
    assert refused.status_code == 302 and refused.url == "/admin/"
    client.force_login(coordinator)
    form = client.get(url)
    text = form.content.decode()
    # The form offers the coordinator's own jurisdiction and lists the national column names of both kinds
    assert form.status_code == 200 and "测试区" in text and "外县" not in text
    assert "行政处罚决定书文号" in text and "许可决定日期" in text

    def post(**data):
        resp = client.post(url, data)
        assert resp.status_code == 400
        return resp.content.decode()

    assert "请选择本人所属的辖区。" in post(kind="penalty", file=_csv())
    assert "请选择本人所属的辖区。" in post(jurisdiction=outsider.department_memberships.get().department.jurisdiction_id,
                                       kind="penalty", file=_csv())
    assert "请选择要导入的文件。" in post(jurisdiction=jurisdiction.pk, kind="penalty")
    assert "不支持的文件类型「.txt」：仅支持 CSV、XLSX。" in post(jurisdiction=jurisdiction.pk, kind="penalty",
                                                               file=_csv("decisions.txt"))
    assert "请选择决定类型（行政许可或行政处罚）。" in post(jurisdiction=jurisdiction.pk, kind="", file=_csv())
    assert "文件中没有数据行。" in post(jurisdiction=jurisdiction.pk, kind="penalty", file=_csv())
    assert not PublicDecision.objects.exists()
