"""The department scorecard (section 四): figures of a fixture month against hand-counted values."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhunru.clock import BEIJING
from zhunru.leads.scorecard import Period, PeriodError, compare, month_period, period_from_params, scorecard

NOVEMBER = month_period(2026, 11)


def at(month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def fixture_month(depts, make_lead, people):
    """November 2026 (no public holiday: working days are Monday to Friday).

    Market regulation (competent unit), verify stages:
      A started 11-02 Mon, due 11-05 24:00, done 11-04 15:00: on time, 2 working days (11-03, 11-04);
      B started 11-05 Thu, due 11-10 24:00, done 11-12 Thu: late, 5 working days (11-06, 09, 10, 11, 12);
      C started 10-28, due 10-31, still open: overdue at the end of November (received in October);
      D started 11-20, due 11-25, done 12-01: overdue at the end of November, not done in it.
      An extension requested on B on 11-09 and one on C on 10-29; an escalation of C on 11-03.
      Ratings of its service item: 5, 3 and 1 in November (two 满意 or better), 1 in October.
    Housing (responsible unit), a rectify stage of A started 11-04 15:00, due 11-11, done 11-10: on time,
      4 working days (11-05, 06, 09, 10).
    """
    from zhunru.catalog.models import ServiceItem, ServiceRating
    from zhunru.leads.models import Escalation, Extension, LeadStage

    market, housing = depts["market"], depts["housing"]

    def stage(lead, kind, dept, started, due, completed=None):
        return LeadStage.objects.create(
            lead=lead, kind=kind, department=dept, started_at=started, limit_amount=3, limit_unit="working",
            due_date=due.date(), due_at=due, remind_at=started, escalate_at=due, calendar_version="test",
            completed_at=completed)

    leads = {name: make_lead(received_at=at(10, 27)) for name in "ABCD"}
    a = stage(leads["A"], "verify", market, at(11, 2, 9), at(11, 6, 0), at(11, 4, 15))
    b = stage(leads["B"], "verify", market, at(11, 5), at(11, 11, 0), at(11, 12))
    c = stage(leads["C"], "verify", market, at(10, 28), at(11, 1, 0))
    stage(leads["D"], "verify", market, at(11, 20), at(11, 26, 0), at(12, 1))
    stage(leads["A"], "rectify", housing, at(11, 4, 15), at(11, 12, 0), at(11, 10))
    assert a.on_time and not b.on_time
    for s, when in ((b, at(11, 9)), (c, at(10, 29))):
        ext = Extension.objects.create(lead=s.lead, stage=s, days=3, reason="需补充材料", requested_by=people["market"])
        Extension.objects.filter(pk=ext.pk).update(requested_at=when)
    esc = Escalation.objects.create(lead=c.lead, stage=c, level=1, reason="逾期未核查")
    Escalation.objects.filter(pk=esc.pk).update(created_at=at(11, 3))
    item = ServiceItem.objects.create(department=market, name="食品经营许可", published=True)
    for level, when in ((5, at(11, 3)), (3, at(11, 15)), (1, at(11, 30, 23, 59)), (1, at(10, 31, 23, 59))):
        rating = ServiceRating.objects.create(service_item=item, level=level, channel="portal")
        ServiceRating.objects.filter(pk=rating.pk).update(created_at=when)
    return depts


def rows_by_name(rows):
    return {row.name: row for row in rows}


def test_the_fixture_month_matches_the_hand_count(fixture_month, django_assert_max_num_queries):
    from zhunru.models import Department

    departments = Department.objects.filter(pk__in=[fixture_month["market"].pk, fixture_month["housing"].pk])
    with django_assert_max_num_queries(8):  # five aggregates, the departments, the calendar: whatever the rows
        rows = rows_by_name(scorecard(departments, NOVEMBER))
    market, housing = rows["测试区市场监督管理局"], rows["测试区住房和城乡建设局"]
    assert market.received == 3  # A, B, D (C started in October)
    assert (market.done["verify"], market.on_time["verify"]) == (2, 1)
    assert market.rate() == 50 and market.rate("verify") == 50 and market.rate("rectify") is None
    assert market.days["verify"] == 3.5  # (2 + 5) / 2
    assert market.overdue_open == 2  # C and D
    assert (market.extensions, market.escalations) == (1, 1)
    assert (market.ratings, market.rating_mean, market.satisfied, market.satisfaction) == (3, 3.0, 2, 67)
    assert housing.received == 1 and (housing.done["rectify"], housing.on_time["rectify"]) == (1, 1)
    assert housing.days["rectify"] == 4.0 and housing.rate() == 100 and housing.overdue_open == 0
    assert housing.ratings == 0 and housing.satisfaction is None


def test_the_previous_period_is_compared(fixture_month):
    from zhunru.models import Department

    departments = Department.objects.filter(pk=fixture_month["market"].pk)
    assert NOVEMBER.previous() == month_period(2026, 10)
    october = rows_by_name(scorecard(departments, NOVEMBER.previous()))["测试区市场监督管理局"]
    assert october.received == 1 and october.rate() is None and october.extensions == 1
    assert (october.ratings, october.satisfaction) == (1, 0)
    [item] = compare(scorecard(departments, NOVEMBER), scorecard(departments, NOVEMBER.previous()))
    assert item["previous"].received == 1 and item["rate_change"] is None


@pytest.mark.parametrize("params, message", [
    ({"period": "week"}, "统计周期"),
    ({"period": "month", "month": "13"}, "月份"),
    ({"period": "month", "year": "２０２６"}, "年份"),
    ({"period": "quarter", "quarter": "5"}, "季度"),
    ({"period": "custom", "start": "2026-11-30", "end": "2026-11-01"}, "不能早于"),
    ({"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "最长三年"),
    ({"period": "custom", "start": "昨天", "end": "2026-11-01"}, "开始日期"),
])
def test_bad_periods_are_explained(params, message):
    with pytest.raises(PeriodError, match=message):
        period_from_params(params)


def test_periods_and_their_predecessors():
    q1 = period_from_params({"period": "quarter", "year": "2026", "quarter": "1"})
    assert (q1.start, q1.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert q1.previous().label == "2025年第4季度"
    assert period_from_params({"period": "year", "year": "2024"}).previous().label == "2023年"
    custom = Period("custom", datetime.date(2026, 11, 1), datetime.date(2026, 11, 10))
    assert (custom.previous().start, custom.previous().end) == (datetime.date(2026, 10, 22), datetime.date(2026, 10, 31))
    start, end = NOVEMBER.bounds
    assert start.isoformat() == "2026-11-01T00:00:00+08:00" and end.isoformat() == "2026-12-01T00:00:00+08:00"


def test_the_admin_page_print_and_xlsx(client, fixture_month, people):
    client.force_login(people["coordinator"])
    url = reverse("zhunru_lead_scorecard")
    params = {"period": "month", "year": "2026", "month": "11"}
    page = client.get(url, params)
    assert page.status_code == 200
    body = page.content.decode()
    assert "部门考评 2026年11月（对比 2026年10月）" in body and "测试区市场监督管理局" in body and "50%" in body
    printable = client.get(url, {**params, "format": "print"})
    assert printable.status_code == 200 and "生成时间" in printable.content.decode()
    export = client.get(url, {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[2]]
    market = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "测试区市场监督管理局")
    assert market[header.index("收到线索")] == 3 and market[header.index("按时办结率")] == "50%"
    assert market[header.index("满意率")] == "67%"
    assert client.get(url, {"period": "month", "month": "0"}).status_code == 400


def test_an_officer_sees_only_their_department(client, fixture_month, people):
    client.force_login(people["housing"])
    body = client.get(reverse("zhunru_lead_scorecard"), {"year": "2026", "month": "11"}).content.decode()
    assert "测试区住房和城乡建设局" in body and "测试区市场监督管理局" not in body
