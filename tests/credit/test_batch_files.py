"""The batch export in the national 双公示 field layouts (issue 24 item 4, "in the national field layout"):
licensing and penalty records each in their own layout, columns in the order of EXCHANGE.md; a record that
would be refused says which mandatory field is missing, in Chinese, in the file and when it is resent."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from tests.credit.conftest import AUTHORITY_USCC, decision_fields
from zhunru import roles
from zhunru.credit import batch_files, layouts, outbox
from zhunru.credit.models import OutboundRecord

LICENSING_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "行政相对人代码_2（工商注册号）",
    "行政相对人代码_3（组织机构代码）", "行政相对人代码_4（税务登记号）", "行政相对人代码_5（事业单位证书号）",
    "行政相对人代码_6（社会组织登记证号）", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型", "证件号码",
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容", "许可决定日期",
    "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码",
    "备注",
]
PENALTY_TAIL = [
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]


@pytest.fixture
def queued(platforms, make_subject, jurisdiction, django_capture_on_commit_callbacks):
    s = make_subject(name="景德镇市昌江区瓷都食品有限公司")
    with django_capture_on_commit_callbacks(execute=False):
        outbox.enqueue_decision("licensing", jurisdiction=jurisdiction, **decision_fields(s))
        outbox.enqueue_decision("penalty", jurisdiction=jurisdiction, **decision_fields(s, "penalty"))
    return s


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_each_kind_is_written_in_its_national_layout(queued):
    records = OutboundRecord.objects.all()
    lic = _csv(batch_files.export_csv(records, "licensing"))
    assert lic[0] == ["记录标识", "报送平台", "报送状态", *LICENSING_HEADERS, "校验结果"]
    assert len(lic) == 3  # national and provincial platform
    row = dict(zip(lic[0], lic[1], strict=True))
    assert row["行政许可决定文书号"] == "昌市监许〔2026〕18号" and row["许可类别"] == "普通"
    assert row["行政相对人类别"] == "法人及非法人组织" and row["当前状态"] == "有效" and row["校验结果"] == ""
    pen = _csv(batch_files.export_csv(records, "penalty"))
    assert pen[0][3:-1] == LICENSING_HEADERS[:13] + PENALTY_TAIL
    row = dict(zip(pen[0], pen[1], strict=True))
    assert row["处罚依据"] == "《中华人民共和国食品安全法》第一百二十二条" and row["罚款金额（万元）"] == "5"
    assert row["公示截止期"] == "2027-11-20" and "许可类别" not in row

    wb = load_workbook(io.BytesIO(batch_files.export_xlsx(records)))
    assert wb.sheetnames == ["行政许可", "行政处罚", "失信记录", "撤下记录"]
    assert [c for c in next(wb["行政许可"].values)][3:-1] == LICENSING_HEADERS
    assert len(list(wb["行政处罚"].values)) == 3 and len(list(wb["失信记录"].values)) == 1


def test_a_record_missing_a_mandatory_field_is_named_in_the_file_and_refused_on_resend(queued):
    row = OutboundRecord.objects.filter(kind="penalty").first()
    row.payload["basis"] = ""  # a coordinator's correction went wrong
    row.status = OutboundRecord.Status.REJECTED
    row.save()
    lines = _csv(batch_files.export_csv(OutboundRecord.objects.filter(pk=row.pk), "penalty"))
    assert lines[1][-1] == "双公示信息缺少必填项：处罚依据。"
    with pytest.raises(ValidationError, match="双公示信息缺少必填项：处罚依据。"):
        outbox.resend(row)
    row.refresh_from_db()
    assert row.status == OutboundRecord.Status.REJECTED


def test_every_kind_is_validated_before_it_is_queued(platforms, make_subject, jurisdiction):
    s = make_subject()
    cases = [
        ("licensing", {"licence_content": ""}, "许可内容"),
        ("licensing", {"licence_category": "特别"}, "许可类别应为"),
        ("penalty", {"publicity_until": ""}, "公示截止期"),
        ("penalty", {"subject_category": "自然人", "uscc": ""}, "证件类型、证件号码"),
        ("penalty", {"decided_on": "2026-13-01"}, "处罚决定日期“2026-13-01”不是有效日期"),
        ("penalty", {"authority_uscc": AUTHORITY_USCC[:17] + ("0" if AUTHORITY_USCC[-1] != "0" else "1")},
         "处罚机关统一社会信用代码："),
    ]
    for kind, over, message in cases:
        with pytest.raises(ValidationError, match=message):
            outbox.enqueue_decision(kind, jurisdiction=jurisdiction, **decision_fields(s, kind, **over))
    with pytest.raises(ValidationError, match="未知的报送字段：content"):
        outbox.enqueue_decision("penalty", jurisdiction=jurisdiction, **decision_fields(s, "penalty", content="x"))
    with pytest.raises(ValidationError, match="撤下记录缺少必填项：撤下原因"):
        layouts.normalise("repair", subject_name="甲", uscc=s.uscc, document_number="1", decided_on="2026-01-01",
                          withdraws_kind="penalty", withdrawn_on="2026-02-01")
    assert not OutboundRecord.objects.exists()


def test_export_view_is_scoped_and_a_csv_names_its_kind(client, make_user, queued, jurisdiction):
    from zhunru.models import Department, Jurisdiction

    other = Jurisdiction.objects.create(name="外县", short_name="外", level="county", division_code="360283")
    outsider = make_user("bf-outsider", groups=[roles.COORDINATOR],
                         departments=[Department.objects.create(jurisdiction=other, name="外县发展和改革委员会",
                                                                is_lead=True)])
    client.force_login(outsider)
    theirs = _csv(client.get("/admin/credit/export.csv?kind=penalty").content)
    assert theirs[1:] == []  # 昌江区's records are not another office's to export
    client.force_login(make_user("bf-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department]))
    assert len(_csv(client.get("/admin/credit/export.csv?kind=penalty").content)) == 3
    refused = client.get("/admin/credit/export.csv")
    assert refused.status_code == 400 and "请选择记录类型" in refused.content.decode()
    assert client.get("/admin/credit/export.csv?kind=xyz").status_code == 400


def test_the_simulator_refuses_a_record_outside_its_layout(platforms, simulator, make_subject):
    """The platform's side of the same rule: a penalty without its 处罚依据 is answered 400 with the field named."""
    import uuid

    from zhunru.workers.clients.credit_platform import CreditPlatformRejected, for_platform

    doc = {"record_id": str(uuid.uuid4()), "kind": "penalty",
           **layouts.normalise("penalty", **decision_fields(make_subject(), "penalty"))}
    client = for_platform(platforms[0])
    with pytest.raises(CreditPlatformRejected, match="双公示信息缺少必填项：处罚依据。"):
        client.deliver({**doc, "basis": ""})
    assert client.deliver(doc)["ack_id"].startswith("ACK-")
