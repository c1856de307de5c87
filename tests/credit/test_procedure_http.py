"""The whole breach procedure as people and the worker run it (issue 24 item 6): every step a request to the
admin or the portal, the worker's jobs called as the worker calls them, every record delivered over HTTP to
the credit-platform simulator (no mock), until the repaired record leaves the platforms and the public page."""

import datetime
from datetime import date

from tests.credit.conftest import make_uscc
from tests.security.file_text import pdf_text
from zhunru import roles
from zhunru.credit import layouts
from zhunru.credit.delivery import deliver
from zhunru.credit.models import (
    BreachProcedure,
    CreditCommitment,
    CreditSettings,
    DishonestyRecord,
    OutboundRecord,
    PublicDecision,
    RepairApplication,
)
from zhunru.workers.tasks.credit import check_credit_commitments, end_credit_publicity


def _deliver_open() -> list[OutboundRecord]:
    """What the worker does with the outbox: each open record POSTed to its platform, over HTTP."""
    rows = list(OutboundRecord.objects.filter(status=OutboundRecord.Status.PENDING).order_by("pk"))
    for row in rows:
        assert deliver(row.pk) == "delivered", row.last_error or row.rejection_reason
    return rows


def _step(client, c, action, **data):
    response = client.post(f"/admin/credit/commitments/{c.pk}/procedure/{action}/", data)
    assert response.status_code == 302, action
    return BreachProcedure.objects.get(commitment=c)


def test_breach_to_repair_over_http(client, platforms, jurisdiction, make_subject, make_user, simulator,
                                    django_capture_on_commit_callbacks):
    coord = make_user("e2e-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    legal = make_user("e2e-legal", groups=[roles.LEGAL_REVIEWER], departments=[jurisdiction.lead_department])
    cs = CreditSettings.for_jurisdiction(jurisdiction)
    cs.authority_uscc = make_uscc("11360202MB7654321")
    cs.save()
    subject = make_subject(name="景德镇市昌江区示范餐饮有限公司", legal_representative="赵六")
    c = CreditCommitment.grant(subject=subject, jurisdiction=jurisdiction, permit_name="食品经营许可",
                               promise="三十日内补交营业场所产权证明", due_date=date(2026, 11, 10))
    portal = f"/portal/{jurisdiction.division_code}"

    # Overdue: the worker's check issues a numbered 责令整改通知, and nothing is shared. (After-commit work is
    # held back throughout: the records are delivered below, over HTTP, as the worker would.)
    with django_capture_on_commit_callbacks(execute=False):
        check_credit_commitments()
    proc = BreachProcedure.objects.get(commitment=c)
    assert proc.state == "notice" and not OutboundRecord.objects.exists()
    client.force_login(coord)
    notice = client.get(f"/admin/credit/commitments/{c.pk}/procedure-notice.pdf")
    assert notice.status_code == 200 and jurisdiction.office in pdf_text(notice.content)
    assert proc.notice_number in pdf_text(notice.content)

    # The rectification deadline passes: the 陈述申辩 period opens; the statement and the hearing are recorded.
    from zhunru.credit.procedure import run

    with django_capture_on_commit_callbacks(execute=False):
        run(today=proc.rectify_by + datetime.timedelta(days=1))
    proc = _step(client, c, "statement", statement="因疫情延误，请求从轻", hearing_note="已当面听取意见")
    assert proc.state == "hearing" and proc.statement
    # Drafted, submitted, reviewed by legal, and until then nothing revoked or shared.
    proc = _step(client, c, "draft", facts="逾期未补交产权证明且整改期满仍未补交", basis="国办发〔2020〕42号",
                 revoke_permit="on", publicity_months="6")
    proc = _step(client, c, "submit")
    client.force_login(legal)
    proc = _step(client, c, "review", decision="approve", opinion="事实清楚，依据充分")
    c.refresh_from_db()
    assert proc.state == "approved" and c.permit_status == "valid" and not OutboundRecord.objects.exists()

    # Signed by the authorised person: revoked, 失信 recorded, class changed, shared, disclosed.
    client.force_login(coord)
    with django_capture_on_commit_callbacks(execute=False):
        proc = _step(client, c, "sign")
    c.refresh_from_db()
    subject.refresh_from_db()
    assert proc.state == "signed" and c.permit_status == "revoked" and subject.credit_class == "dishonest"
    decision = PublicDecision.objects.get(document_number=proc.decision_number)
    assert decision.queued_at.date() <= decision.share_by  # queued within 7 working days of the decision
    sent = _deliver_open()
    assert sorted(r.kind for r in sent) == ["dishonesty", "dishonesty", "penalty", "penalty"]
    for channel in ("national", "jiangxi"):
        docs = {d["document"]["kind"]: d["document"] for d in simulator.received(channel).values()}
        penalty = docs["penalty"]  # the national 行政处罚 layout, every mandatory field filled
        assert set(penalty) - {"record_id", "kind"} == {key for key, _ in layouts.PENALTY_FIELDS}
        assert all(penalty[k] for k in layouts.REQUIRED["penalty"] + ["uscc", "legal_representative"])
        assert penalty["document_number"] == proc.decision_number and penalty["authority_name"] == jurisdiction.office
        assert set(docs["dishonesty"]) - {"record_id", "kind"} == {key for key, _ in layouts.DISHONESTY_FIELDS}
    assert proc.decision_number in client.get(f"{portal}/disclosure/").content.decode()
    decision_pdf = pdf_text(client.get(f"/admin/credit/commitments/{c.pk}/procedure-decision.pdf").content)
    assert jurisdiction.office in decision_pdf and proc.decision_number in decision_pdf

    # Four months later (the shortest publicity period is three) the subject applies on the portal.
    DishonestyRecord.objects.filter(pk=proc.dishonesty_record_id).update(decided_on=date(2026, 7, 1))
    client.logout()
    form = {"uscc": subject.uscc, "document_number": proc.decision_number, "legal_representative": "赵六",
            "notice_number": "", "contact_name": "钱七", "contact_phone": "0798-8888888",
            "contact_email": "qianqi@example.invalid", "rectification": "已补交产权证明并通过核查"}
    refused = client.post(f"{portal}/credit-repair/", form)  # without the notice served on it: not proven
    assert refused.status_code == 400 and "不能为他人的记录申请信用修复" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        accepted = client.post(f"{portal}/credit-repair/", {**form, "notice_number": proc.notice_number})
    assert accepted.status_code == 200 and "申请已提交" in accepted.content.decode()
    app = RepairApplication.objects.get()

    # The office approves; the platforms receive the repair message, the record leaves the page.
    client.force_login(coord)
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(f"/admin/credit/repairs/{app.pk}/review/",
                           {"decision": "approve", "note": "整改到位，同意修复"}).status_code == 302
    repairs = _deliver_open()
    assert {r.kind for r in repairs} == {"repair"} and len(repairs) == 4  # the 失信 record and the 双公示 entry
    for channel in ("national", "jiangxi"):
        assert simulator.withdrawn(channel) == {proc.decision_number: "信用修复"}
    assert proc.decision_number not in client.get(f"{portal}/disclosure/").content.decode()
    subject.refresh_from_db()
    assert subject.credit_class == "general"
    # The applicant is told by e-mail: the outbox row written with the decision, sent by the relay.
    from django.core import mail

    from zhunru.leads.models import Notification
    from zhunru.leads.notifications import relay

    relay(list(Notification.objects.filter(address="qianqi@example.invalid").values_list("pk", flat=True)))
    assert [m.to for m in mail.outbox if "信用修复" in m.subject] == [["qianqi@example.invalid"]] * 2
    assert "审核通过" in mail.outbox[-1].body and proc.decision_number in mail.outbox[-1].body


def test_publicity_ends_by_the_scheduled_job(client, platforms, jurisdiction, make_subject, simulator,
                                             django_capture_on_commit_callbacks):
    """A penalty whose 公示截止期 passed, and a 失信 record past its period, leave the public page and the
    platforms when the worker's periodic job runs (no one has to act)."""
    from zhunru.credit import disclosure
    from zhunru.workers.scheduler import JOBS

    assert "end_credit_publicity" in JOBS  # scheduled with the other credit jobs
    subject = make_subject(credit_class="general")
    subject.change_class("dishonest", reason="测试")
    auth = make_uscc("11360202MB7654321")
    d = PublicDecision(kind="penalty", jurisdiction=jurisdiction, subject_name=subject.name, uscc=subject.uscc,
                       legal_representative="张三", document_number="测市监罚〔2025〕7号", violation_type="超范围经营",
                       facts="超范围经营", basis="《市场主体登记管理条例》第四十六条", penalty_category="警告",
                       penalty_content="警告", decided_on=date(2025, 9, 1), publicity_until=date(2025, 12, 1),
                       authority_name=jurisdiction.office, authority_uscc=auth, source_unit=jurisdiction.office,
                       source_unit_uscc=auth)
    rec = DishonestyRecord.objects.create(subject=subject, jurisdiction=jurisdiction, document_number="测发改信决〔2025〕2号",
                                          content="违约", decided_on=date(2025, 6, 1), authority_name=jurisdiction.office,
                                          publicity_until=date(2025, 12, 1))
    with django_capture_on_commit_callbacks(execute=False):
        disclosure.register(d)
    _deliver_open()
    assert "测市监罚〔2025〕7号" in client.get(f"/portal/{jurisdiction.division_code}/disclosure/").content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        end_credit_publicity()  # what the scheduler enqueues; today is past both periods
        end_credit_publicity()  # a second run changes nothing
    repairs = _deliver_open()
    assert len(repairs) == 4 and {r.payload["reason"] for r in repairs} == {"公示期满"}
    assert set(simulator.withdrawn("national")) == {"测市监罚〔2025〕7号", "测发改信决〔2025〕2号"}
    assert "测市监罚〔2025〕7号" not in client.get(f"/portal/{jurisdiction.division_code}/disclosure/").content.decode()
    rec.refresh_from_db()
    subject.refresh_from_db()
    assert rec.repaired_at is not None and subject.credit_class == "general"
