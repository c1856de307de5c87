"""The breach procedure (issue 24): notice first, nothing shared; only a signed decision revokes and shares."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.security.file_text import pdf_text
from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.credit import procedure
from zhunru.credit.delivery import check_due_commitments, deliver
from zhunru.credit.models import (
    BreachProcedure,
    CreditCommitment,
    CreditSettings,
    DishonestyRecord,
    OutboundRecord,
    PublicDecision,
)
from zhunru.leads.models import Notification


def grant(subject, jurisdiction, due=date(2026, 11, 10), department=None):
    return CreditCommitment.grant(subject=subject, jurisdiction=jurisdiction, permit_name="食品经营许可",
                                  promise="三十日内补交营业场所产权证明", due_date=due, department=department)


@pytest.fixture
def people(jurisdiction, make_user):
    lead = jurisdiction.lead_department
    return {
        "coordinator": make_user("xt-coord", groups=[roles.COORDINATOR], departments=[lead]),
        "legal": make_user("xt-legal", groups=[roles.LEGAL_REVIEWER], departments=[lead]),
    }


def _told(user, proc) -> list[str]:
    return list(Notification.objects.filter(recipient=user, object_id=str(proc.pk)).values_list("subject", flat=True))


def test_overdue_yields_a_notice_and_nothing_is_shared(platforms, jurisdiction, make_subject, people,
                                                       django_capture_on_commit_callbacks):
    s = make_subject()
    late = grant(s, jurisdiction)
    kept = grant(s, jurisdiction, due=date(2026, 11, 30))
    with django_capture_on_commit_callbacks(execute=False):
        assert check_due_commitments(today=date(2026, 11, 23)) == 1
        assert check_due_commitments(today=date(2026, 11, 23)) == 0  # idempotent
    late.refresh_from_db()
    kept.refresh_from_db()
    assert late.status == "breached" and late.permit_status == "valid" and kept.status == "active"
    proc = BreachProcedure.objects.get(commitment=late)
    assert proc.state == "notice" and proc.notice_number == "测发改责改〔2026〕1号"
    assert proc.rectify_by == date(2026, 12, 7)  # ten working days after Monday 23 November
    assert not OutboundRecord.objects.exists() and not DishonestyRecord.objects.exists()
    s.refresh_from_db()
    assert s.credit_class == "general"
    assert any("责令整改通知" in t for t in _told(people["coordinator"], proc))
    assert AuditEvent.objects.filter(action="credit.rectification_notice_issued").exists()
    # rectified in time: closed, nothing shared
    with pytest.raises(ValidationError, match="整改情况"):
        procedure.confirm_rectified(proc, note=" ", by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        procedure.confirm_rectified(proc, note="已补交", by=people["legal"])
    procedure.confirm_rectified(proc, note="已补交产权证明", by=people["coordinator"])
    proc.refresh_from_db()
    late.refresh_from_db()
    assert proc.state == "rectified" and late.status == "fulfilled" and late.permit_status == "valid"
    assert procedure.advance_overdue(today=date(2026, 12, 31)) == 0
    assert not OutboundRecord.objects.exists()


def test_only_a_signed_decision_after_the_hearing_revokes_and_shares(
        platforms, jurisdiction, make_subject, people, simulator, django_capture_on_commit_callbacks):
    coord, legal = people["coordinator"], people["legal"]
    s = make_subject()
    c = grant(s, jurisdiction)
    with django_capture_on_commit_callbacks(execute=False):
        procedure.run(today=date(2026, 11, 23))
        proc = BreachProcedure.objects.get(commitment=c)
        assert procedure.advance_overdue(today=date(2026, 12, 7)) == 0  # deadline day itself still counts
        assert procedure.advance_overdue(today=date(2026, 12, 8)) == 1
        proc.refresh_from_db()
        assert proc.state == "hearing" and proc.statement_by == date(2026, 12, 15)
        assert procedure.offered_actions(coord, proc) == ["statement"]  # period running, no statement yet
        with pytest.raises(ValidationError, match="陈述申辩期至"):
            procedure.draft_decision(proc, facts="逾期未补交", basis="国办发〔2020〕42号", revoke_permit=True,
                                     by=coord)
        procedure.record_statement(proc, statement="因疫情未能及时补交", hearing_note="已电话听取意见", by=coord)
        procedure.draft_decision(proc, facts="逾期未补交产权证明，整改期满仍未整改", basis="国办发〔2020〕42号",
                                 revoke_permit=True, publicity_months=6, by=coord)
        with pytest.raises(ValidationError, match="待签发"):
            procedure.sign(proc, by=coord)
        procedure.submit_for_review(proc, by=coord)
        assert any("法制审核" in t for t in _told(legal, proc))
        with pytest.raises(PermissionDenied):
            procedure.review(proc, approve=True, opinion="同意", by=coord)
        procedure.review(proc, approve=True, opinion="程序合法，事实清楚", by=legal)
        assert any("待签发" in t for t in _told(coord, proc))
        with pytest.raises(PermissionDenied):
            procedure.sign(proc, by=legal)
        c.refresh_from_db()
        assert c.permit_status == "valid" and not OutboundRecord.objects.exists()
        procedure.sign(proc, by=coord)
    proc.refresh_from_db()
    c.refresh_from_db()
    s.refresh_from_db()
    assert proc.state == "signed" and proc.decision_number == "测发改信决〔2026〕1号"
    assert c.permit_status == "revoked" and proc.decision_number in c.revoke_reason
    rec = proc.dishonesty_record
    assert rec.authority_name == jurisdiction.office == "测试区发展和改革委员会"
    assert s.credit_class == "dishonest" and s.class_changes.get().source == proc.decision_number
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"credit.rectification_notice_issued", "credit.hearing_opened", "credit.statement_recorded",
            "credit.decision_drafted", "credit.decision_submitted", "credit.decision_reviewed",
            "credit.decision_signed", "credit.permit_revoked", "credit.dishonesty_recorded"} <= actions
    rows = OutboundRecord.objects.filter(kind="dishonesty")
    assert {r.platform.code for r in rows} == {"national", "jiangxi"}
    for row in rows:  # over HTTP to the simulator
        assert deliver(row.pk) == "delivered"
        doc = simulator.received(row.platform.code)[str(row.record_id)]["document"]
        assert doc["document_number"] == proc.decision_number and doc["authority_name"] == "测试区发展和改革委员会"
    # no code of the office in its settings yet: the 双公示 entry waits, the coordinators are told which field
    kept = PublicDecision.objects.get(document_number=proc.decision_number)
    assert kept.queued_at is None and kept.share_by is not None
    assert any("双公示信息未能报送" in t for t in _told(coord, proc))
    assert not OutboundRecord.objects.filter(kind="penalty").exists()
    text = pdf_text(procedure.decision_pdf(proc))
    assert "测试区发展和改革委员会" in text and proc.decision_number in text


def _named(name, short, code, office_name="", lead=""):
    from zhunru.models import Department, Jurisdiction

    j = Jurisdiction.objects.create(name=name, short_name=short, level="county_city", division_code=code,
                                    office_name=office_name)
    if lead:
        Department.objects.create(jurisdiction=j, name=lead, kind="development_reform", is_lead=True)
    return j


def test_documents_name_each_jurisdictions_own_office(db, make_subject, django_capture_on_commit_callbacks):
    houma = _named("侯马市", "侯", "141081", office_name="侯马市发展和改革局", lead="侯马市发展和改革局")
    changjiang = _named("昌江区", "昌", "360202", lead="景德镇市昌江区发展和改革委员会")
    CreditSettings.objects.create(jurisdiction=changjiang, notice_number_format="昌发改责〔{year}〕{serial}号")
    with django_capture_on_commit_callbacks(execute=False):
        grant(make_subject(name="侯马市新田建材有限公司"), houma)
        grant(make_subject(name="景德镇市昌南瓷业有限公司"), changjiang)
        procedure.open_due(today=date(2026, 11, 23))
    p_h = BreachProcedure.objects.get(jurisdiction=houma)
    p_c = BreachProcedure.objects.get(jurisdiction=changjiang)
    assert p_h.notice_number == "侯发改责改〔2026〕1号" and p_c.notice_number == "昌发改责〔2026〕1号"
    text_h, text_c = pdf_text(procedure.notice_pdf(p_h)), pdf_text(procedure.notice_pdf(p_c))
    assert "侯马市发展和改革局" in text_h and "发展和改革委员会" not in text_h
    assert "景德镇市昌江区发展和改革委员会" in text_c and "侯马" not in text_c
    assert p_h.notice_number in text_h


def test_admin_steps_are_scoped_and_offered(client, platforms, jurisdiction, make_subject, people, make_user,
                                            django_capture_on_commit_callbacks):
    from zhunru.models import Department

    c = grant(make_subject(), jurisdiction)
    with django_capture_on_commit_callbacks(execute=False):
        procedure.open_due(today=date(2026, 11, 23))
    other = _named("其他县", "其", "360281", lead="其他县发展和改革委员会")
    outsider = make_user("other-coord", groups=[roles.COORDINATOR],
                         departments=[Department.objects.get(jurisdiction=other)])
    client.force_login(outsider)
    assert client.get(f"/admin/credit/commitments/{c.pk}/procedure/").status_code == 404
    assert client.get(f"/admin/credit/commitments/{c.pk}/procedure-notice.pdf").status_code == 404
    assert client.post(f"/admin/credit/commitments/{c.pk}/procedure/rectified/", {"note": "x"}).status_code == 404
    client.force_login(people["legal"])
    page = client.get(f"/admin/credit/commitments/{c.pk}/procedure/").content.decode()
    assert "确认已整改" not in page and "当前没有您可以办理的步骤" in page
    client.force_login(people["coordinator"])
    page = client.get(f"/admin/credit/commitments/{c.pk}/procedure/").content.decode()
    assert "测发改责改〔2026〕1号" in page and "确认已整改" in page
    pdf = client.get(f"/admin/credit/commitments/{c.pk}/procedure-notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    resp = client.post(f"/admin/credit/commitments/{c.pk}/procedure/rectified/", {"note": ""})
    assert resp.status_code == 302 and BreachProcedure.objects.get().state == "notice"
    resp = client.post(f"/admin/credit/commitments/{c.pk}/procedure/rectified/", {"note": "已补交"})
    assert resp.status_code == 302 and BreachProcedure.objects.get().state == "rectified"


def test_settings_and_procedure_listings(client, jurisdiction, make_subject, people,
                                         django_capture_on_commit_callbacks):
    _named("其他县", "其", "360281", lead="其他县发展和改革委员会")
    c = grant(make_subject(), jurisdiction)
    with django_capture_on_commit_callbacks(execute=False):
        procedure.open_due(today=date(2026, 11, 23))
    client.force_login(people["coordinator"])
    listing = client.get("/admin/credit/procedures/").content.decode()
    assert "测发改责改〔2026〕1号" in listing and f"/admin/credit/commitments/{c.pk}/procedure/" in listing
    page = client.get("/admin/credit/settings/").content.decode()
    assert "测试区" in page and "其他县" not in page
    mine = CreditSettings.objects.get(jurisdiction=jurisdiction)
    other = CreditSettings.for_jurisdiction(_named("外县", "外", "360282"))
    assert client.get(f"/admin/credit/settings/edit/{other.pk}/").status_code == 404
    assert client.get(f"/admin/credit/settings/edit/{mine.pk}/").status_code == 200


def test_signed_decision_is_disclosed_when_the_office_code_is_set(platforms, jurisdiction, make_subject, people,
                                                                  django_capture_on_commit_callbacks):
    from tests.credit.conftest import make_uscc

    cs = CreditSettings.for_jurisdiction(jurisdiction)
    cs.authority_uscc = make_uscc("11360299MB0000001")
    cs.save()
    c = grant(make_subject(), jurisdiction)
    coord, legal = people["coordinator"], people["legal"]
    with django_capture_on_commit_callbacks(execute=False):
        procedure.open_due(today=date(2026, 11, 23))
        proc = BreachProcedure.objects.get(commitment=c)
        procedure.advance_overdue(today=date(2026, 12, 8))
        procedure.record_statement(proc, statement="放弃陈述申辩", by=coord)
        procedure.draft_decision(proc, facts="逾期未整改", basis="国办发〔2020〕42号", revoke_permit=False, by=coord)
        procedure.submit_for_review(proc, by=coord)
        procedure.review(proc, approve=True, opinion="同意", by=legal)
        procedure.sign(proc, by=coord)
    proc.refresh_from_db()
    c.refresh_from_db()
    assert c.permit_status == "valid"  # the decision did not revoke
    d = PublicDecision.objects.get(document_number=proc.decision_number)
    assert d.queued_at is not None and d.kind == "penalty" and d.authority_name == "测试区发展和改革委员会"
    assert OutboundRecord.objects.filter(kind="penalty").count() == 2


def test_whole_procedure_over_http_to_the_simulator_then_repair(
        platforms, jurisdiction, make_subject, people, simulator, django_capture_on_commit_callbacks):
    """Notice → hearing → decision → review → signature → delivered to both platforms over HTTP → repaired →
    the platforms take the record and the 双公示 entry off."""
    from tests.credit.conftest import make_uscc
    from zhunru.credit import repair

    cs = CreditSettings.for_jurisdiction(jurisdiction)
    cs.authority_uscc = make_uscc("11360299MB0000001")
    cs.save()
    coord, legal = people["coordinator"], people["legal"]
    c = grant(make_subject(), jurisdiction)
    with django_capture_on_commit_callbacks(execute=False):
        procedure.run(today=date(2026, 11, 23))
        procedure.run(today=date(2026, 12, 8))
        proc = BreachProcedure.objects.get(commitment=c)
        procedure.record_statement(proc, statement="无异议", by=coord)
        procedure.draft_decision(proc, facts="逾期未整改", basis="国办发〔2020〕42号", revoke_permit=True, by=coord)
        procedure.submit_for_review(proc, by=coord)
        procedure.review(proc, approve=True, opinion="同意", by=legal)
        procedure.sign(proc, by=coord)
    proc.refresh_from_db()
    rows = list(OutboundRecord.objects.all())
    assert sorted(r.kind for r in rows) == ["dishonesty", "dishonesty", "penalty", "penalty"]
    for row in rows:
        assert deliver(row.pk) == "delivered"
    for channel in ("national", "jiangxi"):
        docs = [v["document"] for v in simulator.received(channel).values()]
        assert {d["kind"] for d in docs} == {"dishonesty", "penalty"}
        assert all(d["document_number"] == proc.decision_number for d in docs)
    with django_capture_on_commit_callbacks(execute=False):
        assert repair.take_off(proc.dishonesty_record, reason="信用修复", by=coord)
    for row in OutboundRecord.objects.filter(kind="repair"):
        assert deliver(row.pk) == "delivered"
    assert simulator.withdrawn("national") == {proc.decision_number: "信用修复"}
    assert simulator.withdrawn("jiangxi") == {proc.decision_number: "信用修复"}
    assert PublicDecision.objects.public().count() == 0
