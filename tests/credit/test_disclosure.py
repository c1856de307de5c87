"""双公示 register (issue 24 item 3) and the end of publicity / repair (item 4)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from zhunru import roles
from zhunru.credit import disclosure, repair
from zhunru.credit.delivery import deliver
from zhunru.credit.models import DishonestyRecord, OutboundRecord, PublicDecision

AUTH_USCC = "11360202MB1234567"


def penalty(jurisdiction, subject, **over):
    fields = dict(kind="penalty", jurisdiction=jurisdiction, subject_name=subject.name, subject_category="legal",
                  uscc=subject.uscc, legal_representative="张三", document_number="测发改罚〔2026〕3号",
                  violation_type="未按承诺补交材料", facts="逾期未补交", basis="《行政许可法》第六十九条",
                  penalty_category="警告", penalty_content="警告", decided_on=date(2026, 11, 20),
                  publicity_until=date(2027, 2, 20), authority_name=jurisdiction.office,
                  authority_uscc=_auth(), source_unit=jurisdiction.office, source_unit_uscc=_auth())
    fields.update(over)
    return PublicDecision(**fields)


def _auth():
    from tests.credit.conftest import make_uscc

    return make_uscc(AUTH_USCC[:17])


def test_missing_mandatory_field_is_refused_by_name(jurisdiction, make_subject):
    s = make_subject()
    with pytest.raises(ValidationError, match="处罚依据"):
        disclosure.validate(penalty(jurisdiction, s, basis=""))
    with pytest.raises(ValidationError, match="许可机关统一社会信用代码"):
        disclosure.validate(penalty(jurisdiction, s, kind="licensing", authority_uscc="", document_name="准予许可决定书",
                                    licence_category="普通", licence_content="食品经营",
                                    valid_from=date(2026, 11, 20), valid_until=date(2031, 11, 19)))
    with pytest.raises(ValidationError, match="证件号码"):
        disclosure.validate(penalty(jurisdiction, s, subject_category="natural", uscc=""))
    disclosure.validate(penalty(jurisdiction, s))


def test_penalty_is_queued_in_time_public_and_withdrawn(client, platforms, jurisdiction, make_subject, simulator,
                                                        django_capture_on_commit_callbacks):
    s = make_subject(name="测试区某某商贸有限公司")
    person = penalty(jurisdiction, s, subject_name="李四", subject_category="natural", uscc="",
                     person_id_type="身份证", person_id_number="360202199001011234", document_number="测发改罚〔2026〕4号")
    with django_capture_on_commit_callbacks(execute=False):
        rows = disclosure.register(penalty(jurisdiction, s))
        disclosure.register(person)
    d = PublicDecision.objects.get(document_number="测发改罚〔2026〕3号")
    assert d.share_by == date(2026, 12, 1)  # 7 working days after Friday 20 November
    assert {r.platform.code for r in rows} == {"national", "jiangxi"} and all(r.kind == "penalty" for r in rows)
    assert deliver(rows[0].pk) == "delivered"
    doc = simulator.received(rows[0].platform.code)[str(rows[0].record_id)]["document"]
    assert {k for k, _ in disclosure.PENALTY_FIELDS} == set(doc) - {"record_id", "kind"}
    assert doc["basis"] == "《行政许可法》第六十九条" and doc["subject_category"] == "法人及非法人组织"
    page = client.get(f"/portal/{jurisdiction.division_code}/disclosure/")
    text = page.content.decode()
    assert page.status_code == 200 and "测发改罚〔2026〕3号" in text and "李四" in text
    assert "360202199001011234" not in text and "3602**********1234" in text
    assert "测发改罚〔2026〕4号" not in client.get(
        f"/portal/{jurisdiction.division_code}/disclosure/?q=商贸").content.decode()
    assert client.get(f"/portal/{jurisdiction.division_code}/disclosure/?from=2026-13-01").status_code == 400
    with django_capture_on_commit_callbacks(execute=False):
        assert disclosure.withdraw_expired(today=date(2027, 2, 20)) == 0
        assert disclosure.withdraw_expired(today=date(2027, 2, 21)) == 2
    assert "测发改罚〔2026〕3号" not in client.get(f"/portal/{jurisdiction.division_code}/disclosure/").content.decode()
    repairs = OutboundRecord.objects.filter(kind="repair")
    assert repairs.count() == 4 and {r.payload["reason"] for r in repairs} == {"公示期满"}
    assert deliver(repairs[0].pk) == "delivered"


def test_admin_entry_refuses_a_missing_field_and_queues_a_complete_one(client, make_user, jurisdiction, platforms,
                                                                       make_subject, django_capture_on_commit_callbacks):
    user = make_user("gs-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    client.force_login(user)
    s = make_subject()
    data = {k: v for k, v in penalty(jurisdiction, s).__dict__.items() if not k.startswith("_")}
    data.update(jurisdiction=jurisdiction.pk, decided_on="2026-11-20", publicity_until="2027-02-20",
                current_status="有效", basis="")
    data = {k: ("" if v is None else v) for k, v in data.items() if k not in ("id", "jurisdiction_id", "subject_id",
                                                                              "department_id")}
    resp = client.post("/admin/credit/decisions/add/", data)
    assert resp.status_code == 200 and "处罚依据" in resp.content.decode()
    assert not PublicDecision.objects.exists()
    data["basis"] = "《行政许可法》第六十九条"
    with django_capture_on_commit_callbacks(execute=False):
        resp = client.post("/admin/credit/decisions/add/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    d = PublicDecision.objects.get()
    assert d.queued_at is not None and OutboundRecord.objects.filter(kind="penalty").count() == 2


def test_repair_takes_the_record_off_and_rederives_the_class(platforms, jurisdiction, make_subject,
                                                             django_capture_on_commit_callbacks):
    s = make_subject()
    s.change_class("dishonest", reason="测试")
    rec = DishonestyRecord.objects.create(subject=s, jurisdiction=jurisdiction, document_number="测发改信决〔2026〕1号",
                                          content="违约", decided_on=date(2026, 11, 20), authority_name="x",
                                          publicity_until=date(2027, 5, 20))
    with django_capture_on_commit_callbacks(execute=False):
        assert repair.expire_records(today=date(2027, 5, 20)) == 0
        assert repair.expire_records(today=date(2027, 5, 21)) == 1
    rec.refresh_from_db()
    s.refresh_from_db()
    assert rec.repaired_at is not None and s.credit_class == "general"
    assert s.class_changes.first().source == "测发改信决〔2026〕1号"
    assert OutboundRecord.objects.filter(kind="repair", payload__document_number=rec.document_number).count() == 2


def _signed_record(jurisdiction, subject, decided_on=date(2026, 1, 10)):
    subject.change_class("dishonest", reason="测试")
    return DishonestyRecord.objects.create(subject=subject, jurisdiction=jurisdiction, content="违约",
                                           document_number="测发改信决〔2026〕9号", decided_on=decided_on,
                                           authority_name=jurisdiction.office, publicity_until=date(2027, 1, 10))


def test_repair_by_portal_form_and_office_review(client, platforms, jurisdiction, make_subject, make_user,
                                                 django_capture_on_commit_callbacks):
    from zhunru.credit.models import RepairApplication

    mine, other = make_subject(name="甲公司"), make_subject(name="乙公司")
    rec = _signed_record(jurisdiction, mine)
    d = disclosure.register(penalty(jurisdiction, mine, document_number=rec.document_number))[0].payload
    assert d["document_number"] == rec.document_number
    url = f"/portal/{jurisdiction.division_code}/credit-repair/"
    form = {"uscc": other.uscc, "document_number": rec.document_number, "legal_representative": "张三",
            "contact_name": "王五", "contact_phone": "0798-1234567", "contact_email": "wangwu@example.invalid",
            "rectification": "已补交全部材料"}
    # The USCC and the document number are both on the public page: someone else's code is refused, and so is
    # the right code with a 法定代表人 other than the one on file (no hint which part was wrong).
    for bad in ({"uscc": other.uscc}, {"uscc": mine.uscc, "legal_representative": "李四"}):
        resp = client.post(url, {**form, **bad})
        assert resp.status_code == 400 and "不能为他人的记录申请信用修复" in resp.content.decode()
    assert not RepairApplication.objects.exists()
    assert client.post(url, {**form, "uscc": "123"}).status_code == 400
    resp = client.post(url, {**form, "uscc": mine.uscc, "contact_email": "不是邮箱"})
    assert resp.status_code == 400 and "电子邮箱格式不正确" in resp.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        resp = client.post(url, {**form, "uscc": mine.uscc, "legal_representative": " 张 三 "})
    assert resp.status_code == 200 and "申请已提交" in resp.content.decode()
    app = RepairApplication.objects.get()
    coord = make_user("xf-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    client.force_login(coord)
    assert "测发改信决〔2026〕9号" in client.get(f"/portal/{jurisdiction.division_code}/disclosure/").content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        resp = client.post(f"/admin/credit/repairs/{app.pk}/review/", {"decision": "approve", "note": "整改到位"})
    assert resp.status_code == 302
    app.refresh_from_db()
    rec.refresh_from_db()
    mine.refresh_from_db()
    assert app.status == "approved" and rec.repaired_at is not None and mine.credit_class == "general"
    assert "测发改信决〔2026〕9号" not in client.get(f"/portal/{jurisdiction.division_code}/disclosure/").content.decode()
    told = OutboundRecord.objects.filter(kind="repair", payload__document_number=rec.document_number)
    assert {r.payload["reason"] for r in told} == {"信用修复"} and told.count() == 4  # record + 双公示 entry, 2 platforms
    # The applicant is told by e-mail (the notification outbox and its relay): the receipt, then the outcome.
    mailed = _mails_to("wangwu@example.invalid")
    assert len(mailed) == 2 and "信用修复申请已收到" in mailed[0].subject and "信用修复申请已通过" in mailed[1].subject
    assert "已从公示页面撤下，并已通知信用平台撤下" in mailed[1].body and "整改到位" in mailed[1].body
    assert jurisdiction.office in mailed[1].body


def _mails_to(address):
    """Relay the outbox's e-mails to ``address`` as the worker does, and return them in order."""
    from django.core import mail

    from zhunru.leads.models import Notification
    from zhunru.leads.notifications import relay

    relay(list(Notification.objects.filter(address=address).values_list("pk", flat=True)))
    return [m for m in mail.outbox if m.to == [address]]


def test_a_refused_repair_is_mailed_and_leaves_the_record(jurisdiction, make_subject, make_user, platforms,
                                                          django_capture_on_commit_callbacks):
    rec = _signed_record(jurisdiction, make_subject())
    with django_capture_on_commit_callbacks(execute=False):
        app = repair.apply(jurisdiction=jurisdiction, uscc=rec.subject.uscc, document_number=rec.document_number,
                           legal_representative="张三", contact_name="王五", contact_phone="1",
                           contact_email="refused@example.invalid", rectification="已整改")
        coord = make_user("xf-refuse", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
        repair.review_application(app, approve=False, note="整改材料不全", by=coord)
    rec.refresh_from_db()
    assert rec.repaired_at is None and not OutboundRecord.objects.filter(kind="repair").exists()
    mailed = _mails_to("refused@example.invalid")
    assert len(mailed) == 2 and "不予修复" in mailed[1].body and "整改材料不全" in mailed[1].body


def test_repair_review_is_scoped(client, jurisdiction, make_subject, make_user):
    from zhunru.credit import repair
    from zhunru.credit.models import RepairApplication
    from zhunru.models import Department, Jurisdiction

    rec = _signed_record(jurisdiction, make_subject())
    who = dict(legal_representative="张三", contact_name="王五", contact_phone="1", contact_email="w@example.invalid")
    app = repair.apply(jurisdiction=jurisdiction, uscc=rec.subject.uscc, document_number=rec.document_number,
                       rectification="已整改", **who)
    with pytest.raises(ValidationError, match="待审核"):
        repair.apply(jurisdiction=jurisdiction, uscc=rec.subject.uscc, document_number=rec.document_number,
                     rectification="已整改", **who)
    j2 = Jurisdiction.objects.create(name="外县", short_name="外", level="county", division_code="360283")
    d2 = Department.objects.create(jurisdiction=j2, name="外县发展和改革委员会", is_lead=True)
    client.force_login(make_user("outsider", groups=[roles.COORDINATOR], departments=[d2]))
    assert client.post(f"/admin/credit/repairs/{app.pk}/review/", {"decision": "approve", "note": "x"}).status_code == 404
    assert RepairApplication.objects.get().status == "pending"


def test_csv_import_names_bad_rows_then_imports_and_queues(client, make_user, jurisdiction, platforms, make_subject,
                                                          django_capture_on_commit_callbacks):
    import csv
    import io

    s = make_subject()
    cols = [label for _, label in disclosure.PENALTY_FIELDS]
    good = dict.fromkeys(cols, "")
    good.update({"行政相对人名称": s.name, "行政相对人类别": "法人及非法人组织",
                 "行政相对人代码_1（统一社会信用代码）": s.uscc, "法定代表人": "张三",
                 "行政处罚决定书文号": "测市监罚〔2026〕7号", "违法行为类型": "无证经营", "违法事实": "未取得许可经营",
                 "处罚依据": "《行政许可法》第八十一条", "处罚类别": "罚款", "处罚内容": "罚款一万元",
                 "罚款金额（万元）": "1", "处罚决定日期": "2026-11-20", "公示截止期": "2027-11-19",
                 "处罚机关": "测试区市场监督管理局", "处罚机关统一社会信用代码": _auth(), "数据来源单位": "测试区市场监督管理局",
                 "数据来源单位统一社会信用代码": _auth()})

    def upload(rows):
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
        f = io.BytesIO(buf.getvalue().encode("utf-8"))
        f.name = "decisions.csv"
        return client.post("/admin/credit/decision-import/",
                           {"jurisdiction": jurisdiction.pk, "kind": "penalty", "file": f})

    client.force_login(make_user("imp-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department]))
    bad = {**good, "行政处罚决定书文号": "测市监罚〔2026〕8号", "处罚依据": ""}
    resp = upload([good, bad])
    assert resp.status_code == 400 and "第3行：双公示信息缺少必填项：处罚依据。" in resp.content.decode()
    assert not PublicDecision.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        resp = upload([good, {**bad, "处罚依据": "同上"}])
    assert resp.status_code == 302
    assert PublicDecision.objects.count() == 2 and OutboundRecord.objects.filter(kind="penalty").count() == 4
    assert PublicDecision.objects.get(document_number="测市监罚〔2026〕7号").fine_amount == 1
