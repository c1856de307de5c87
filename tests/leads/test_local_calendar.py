"""A jurisdiction's own holiday-calendar adjustments (辖区节假日调整, issue 19 item 3): its coordinator declares an
extra rest day and only its leads' due dates move; nobody else changes its days; a day in a year whose national
holidays are unknown is refused with a Chinese message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import create_department, create_user
from zhunru import roles
from zhunru.leads.calendar import compute_due, is_working_day, package_years
from zhunru.leads.models import Lead, LocalCalendarDay
from zhunru.leads.recompute import recompute_open_due_times
from zhunru.models import Department, Jurisdiction

D = datetime.date
pytestmark = pytest.mark.django_db
# 2026-03-09 is a Monday and 03-10 an ordinary Tuesday: one working day from the 9th is due on the 10th.
RECEIVED = timezone.make_aware(datetime.datetime(2026, 3, 9, 10))
LOCAL_HOLIDAY = D(2026, 3, 10)


@pytest.fixture
def two(jurisdiction):
    other = Jurisdiction.objects.create(name="外市", short_name="外", level=Jurisdiction.Level.COUNTY_CITY,
                                        division_code="140981", escalates_to="外市人民政府")
    other_lead = create_department(other, "外市发展和改革局", kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True)
    return {
        "mine": jurisdiction, "other": other,
        "coordinator": create_user("cal-coord-a", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department]),
        "auditor": create_user("cal-auditor-a", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department]),
        "foreign": create_user("cal-coord-b", groups=[roles.COORDINATOR], departments=[other_lead]),
    }


def _lead(jurisdiction) -> Lead:
    return Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.COMPLAINT, title="某镇招标限制本地企业",
                                    received_at=RECEIVED)


def _add(client, jurisdiction, day=LOCAL_HOLIDAY, kind="holiday"):
    return client.post(reverse("wagtailsnippets_zhunru_leads_localcalendarday:add"),
                       {"jurisdiction": jurisdiction.pk, "day": day.isoformat(), "kind": kind, "name": "本地节日",
                        "basis": "本级政府通知"})


def test_an_extra_local_holiday_moves_only_that_jurisdictions_leads(client, two):
    mine, other = two["mine"], two["other"]
    lead_a, lead_b = _lead(mine), _lead(other)
    assert lead_a.current_stage().due_date == lead_b.current_stage().due_date == LOCAL_HOLIDAY

    # Given 测试区's coordinator declares 03-10 a local rest day in the admin ...
    client.force_login(two["coordinator"])
    response = _add(client, mine)
    assert response.status_code == 302, response.content.decode()[:2000]
    day = LocalCalendarDay.objects.get()
    assert (day.jurisdiction, day.day, day.kind) == (mine, LOCAL_HOLIDAY, "holiday")

    # ... then the open stages are recomputed: 测试区's lead is due a working day later, 外市's stays.
    assert recompute_open_due_times() == 1
    stage_a, stage_b = lead_a.current_stage(), lead_b.current_stage()
    stage_a.refresh_from_db()
    stage_b.refresh_from_db()
    assert stage_a.due_date == D(2026, 3, 11) and stage_b.due_date == LOCAL_HOLIDAY
    assert "本辖区休息日（本地节日）" in lead_a.events.get(action="due_recomputed").note + str(stage_a.computation)

    # New leads and every deadline of the jurisdiction count it; the national calendar does not.
    assert _lead(mine).current_stage().due_date == D(2026, 3, 11)
    assert _lead(other).current_stage().due_date == LOCAL_HOLIDAY
    assert is_working_day(LOCAL_HOLIDAY, mine) == (False, True)
    assert is_working_day(LOCAL_HOLIDAY) == is_working_day(LOCAL_HOLIDAY, other) == (True, True)
    assert compute_due(RECEIVED, 1, "working").due_date == LOCAL_HOLIDAY


def test_a_local_working_day_counts_for_that_jurisdiction(two):
    """A Saturday made a local working day: one working day from Friday 03-06 ends on it, in that jurisdiction."""
    saturday = D(2026, 3, 7)
    LocalCalendarDay.objects.create(jurisdiction=two["mine"], day=saturday, kind="workday", name="本地调休")
    friday = timezone.make_aware(datetime.datetime(2026, 3, 6, 10))
    assert compute_due(friday, 1, "working", two["mine"]).due_date == saturday
    assert compute_due(friday, 1, "working", two["other"]).due_date == D(2026, 3, 9)


def test_only_the_jurisdictions_coordinator_changes_its_days(client, two):
    """Another jurisdiction's coordinator: its days answer 404 and cannot be added for it; the jurisdiction's own
    auditor reads them and changes nothing. Nothing changes, and the listing shows none of another's days."""
    from django.contrib.messages import get_messages

    mine = two["mine"]
    day = LocalCalendarDay.objects.create(jurisdiction=mine, day=LOCAL_HOLIDAY, name="测试区本地节日")
    before = list(LocalCalendarDay.objects.values())
    edit = reverse("wagtailsnippets_zhunru_leads_localcalendarday:edit", args=[day.pk])
    delete = reverse("wagtailsnippets_zhunru_leads_localcalendarday:delete", args=[day.pk])
    data = {"jurisdiction": mine.pk, "day": "2026-03-12", "kind": "workday", "name": "改写"}

    client.force_login(two["foreign"])
    for url in (edit, delete):
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
    response = _add(client, mine)
    assert response.status_code == 200 and "测试区" not in response.content.decode()
    listing = client.get(reverse("wagtailsnippets_zhunru_leads_localcalendarday:list")).content.decode()
    assert "测试区本地节日" not in listing

    client.force_login(two["auditor"])
    listing = client.get(reverse("wagtailsnippets_zhunru_leads_localcalendarday:list")).content.decode()
    assert "测试区本地节日" in listing
    for url in (edit, delete):
        response = client.post(url, data)
        refused = response.status_code == 403 or (response.status_code == 302 and "没有权限" in " ".join(
            str(m) for m in get_messages(response.wsgi_request)))
        assert refused, (url, response.status_code)
    assert _add(client, mine).status_code in (302, 403)  # refused (302 to the dashboard) or forbidden
    assert list(LocalCalendarDay.objects.values()) == before


def test_a_day_in_an_unknown_year_is_refused_in_chinese(client, two):
    """A local adjustment laid on a year whose national holidays nobody entered is a form error naming the year,
    never a server error; entering the year (节假日安排) first makes it possible."""
    from zhunru.leads.models import HolidayYear

    year = package_years()[1] + 1
    client.force_login(two["coordinator"])
    response = _add(client, two["mine"], day=D(year, 3, 10))
    assert response.status_code == 200
    assert f"{year}年的全国节假日安排尚未录入" in response.content.decode()
    assert not LocalCalendarDay.objects.exists()

    HolidayYear.objects.create(year=year)
    assert _add(client, two["mine"], day=D(year, 3, 10)).status_code == 302
    assert LocalCalendarDay.objects.get().day == D(year, 3, 10)
