"""``manage.py add_jurisdiction`` (issue 19 item 6): a third office set up by command works end to end without
code changes; re-running is harmless; bad input gets a Chinese CommandError."""

import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

from tests.conftest import create_department, create_user
from zhunru import roles
from zhunru.models import Department, Jurisdiction, JurisdictionHomePage
from zhunru.validators import uscc_check_character


def add(*args, **options):
    out = io.StringIO()
    call_command("add_jurisdiction", *args, stdout=out, **options)
    return out.getvalue()


THIRD = dict(short_name="曲", level="county", office_name="曲沃县发展和改革局", escalates_to="曲沃县人民政府",
             hostname="quwo.zhunru.test", slug="quwo")


@pytest.fixture
def parent(db):
    return Jurisdiction.objects.create(name="上级市", short_name="上", level=Jurisdiction.Level.CITY,
                                       division_code="141000", office_name="上级市发展和改革委员会")


def test_third_jurisdiction_end_to_end(client, parent):
    from zhunru.cases.models import Case, Category, RegisterSettings
    from zhunru.credit import outbox
    from zhunru.credit.models import CreditPlatform, MarketSubject, OutboundRecord
    from zhunru.leads.models import Lead

    report = add("141021", "曲沃县", parent="141000", **THIRD)
    assert "已创建辖区：曲沃县（141021）" in report
    j = Jurisdiction.objects.get(division_code="141021")
    assert (j.office, j.higher_office_name, j.escalates_to, j.parent) == (
        "曲沃县发展和改革局", "上级市发展和改革委员会", "曲沃县人民政府", parent)
    assert j.lead_department.name == "曲沃县发展和改革局"
    assert RegisterSettings.objects.filter(jurisdiction=j).exists()
    home = JurisdictionHomePage.objects.get(jurisdiction=j)
    assert j.site.hostname == "quwo.zhunru.test" and j.site.root_page_id == home.pk

    # Its portal home answers on its hostname.
    page = client.get("/", HTTP_HOST="quwo.zhunru.test")
    assert page.status_code == 200 and "曲沃县" in page.content.decode()

    # Its own settings: lead and case number formats, a provincial platform.
    j.lead_number_format = "曲发改线〔{year}〕{serial:03d}号"
    j.save()
    register = RegisterSettings.objects.get(jurisdiction=j)
    register.number_format = "曲案登〔{year}〕{serial}号"
    register.save()
    CreditPlatform.objects.create(name="山西省信用平台", code="shanxi", jurisdiction=j,
                                  endpoint_url="http://127.0.0.1:9/shanxi/", hmac_key_ref="SHANXI")

    # A lead created, numbered with its own format, transferred to one of its departments.
    coordinator = create_user("quwo_coord", groups=[roles.COORDINATOR], departments=[j.lead_department])
    market = create_department(j, "曲沃县市场监督管理局", kind=Department.Kind.MARKET_REGULATION)
    lead = Lead.objects.create_lead(jurisdiction=j, source=Lead.Source.COMPLAINT, title="某镇限制外地企业投标",
                                    by=coordinator)
    assert lead.number.startswith("曲发改线〔") and lead.number.endswith("〕001号")
    lead.transfer(to=market, by=coordinator)
    lead.refresh_from_db()
    assert lead.state == Lead.State.TRANSFERRED and lead.competent_unit == market

    # A case registered with its own number.
    case = Case.objects.create(jurisdiction=j, reporting_department=market, title="某镇招标限制外地企业",
                               organization="曲沃县某镇人民政府", category=Category.DISCRIMINATORY,
                               subcategory="non_local", summary="招标公告要求本地设立分公司。")
    number = case.register(by=coordinator)
    assert number.startswith("曲案登〔") and number.endswith("〕1号")

    # A decision queued for its own platform (and no other jurisdiction's).
    body = "91141021MA0000001"
    subject = MarketSubject.objects.create(name="曲沃县测试有限公司", uscc=body + uscc_check_character(body),
                                           jurisdiction=j)
    from tests.credit.conftest import decision_fields

    rows = outbox.enqueue_decision("licensing", jurisdiction=j, **decision_fields(
        subject, document_number="曲市监许〔2026〕1号", authority_name="曲沃县市场监督管理局",
        source_unit="曲沃县市场监督管理局"))
    assert {r.platform.code for r in rows} >= {"shanxi"}
    assert set(OutboundRecord.objects.filter(jurisdiction=j).values_list("platform__jurisdiction", flat=True)) <= {
        j.pk, None}


def test_rerun_is_harmless_and_reports_what_existed(parent):
    add("141021", "曲沃县", parent="141000", **THIRD)
    counts = (Jurisdiction.objects.count(), Department.objects.count(), JurisdictionHomePage.objects.count(),
              Site.objects.count())
    again = add("141021", "曲沃县", parent="141000", **THIRD)
    assert "辖区已存在" in again and "牵头部门已存在" in again and "门户首页已存在" in again
    assert "案例登记设置已存在" in again
    assert (Jurisdiction.objects.count(), Department.objects.count(), JurisdictionHomePage.objects.count(),
            Site.objects.count()) == counts


@pytest.mark.parametrize(("args", "options", "message"), [
    (("14102", "曲沃县"), THIRD, "行政区划代码应为 6 位数字"),
    (("141021", "曲沃县"), {**THIRD, "level": "village"}, "行政级别无效"),
    (("141021", "曲沃县"), {**THIRD, "parent": "999999"}, "上级辖区（行政区划代码 999999）不存在"),
    (("141021", "曲沃县"), {**THIRD, "hostname": "bad host!"}, "格式不正确"),
])
def test_bad_input_is_a_chinese_command_error(db, args, options, message):
    with pytest.raises(CommandError, match=message):
        add(*args, **options)
    assert not Jurisdiction.objects.filter(division_code="141021").exists()


def test_name_taken_by_another_division_is_refused(parent):
    with pytest.raises(CommandError, match="已被辖区 141000 使用"):
        add("141021", "上级市", **THIRD)
