"""The deadline arithmetic across real 2025/2026 holidays, unknown years and office closing times.

Every expected date is checked against chinese_calendar's own data first, so a wrong
assumption about the holiday notice fails loudly instead of passing by accident.
"""

import datetime

import chinese_calendar
import pytest
from django.core.management import call_command
from django.utils import timezone

from zhunru.leads.calendar import CalendarError, compute_due, is_working_day
from zhunru.leads.models import CalendarRange, HolidayYear

D = datetime.date
pytestmark = pytest.mark.django_db


def at(d: D, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(d.year, d.month, d.day, hour))


def test_mid_autumn_2026_one_working_day():
    # 2026-09-25 (Fri) is Mid-autumn Festival; 26/27 are the weekend.
    assert chinese_calendar.is_holiday(D(2026, 9, 25))
    assert chinese_calendar.get_holiday_detail(D(2026, 9, 25))[1] == "Mid-autumn Festival"
    assert not chinese_calendar.is_workday(D(2026, 9, 26)) and not chinese_calendar.is_workday(D(2026, 9, 27))
    due = compute_due(at(D(2026, 9, 24)), 1, "working")
    assert due.due_date == D(2026, 9, 28)
    assert not due.provisional
    assert due.due_at == timezone.make_aware(datetime.datetime(2026, 9, 29, 0, 0))
    reasons = dict(due.skipped)
    assert reasons[D(2026, 9, 24)] == "起算日不计入"
    assert "中秋节" in reasons[D(2026, 9, 25)]
    assert D(2026, 9, 26) in reasons and D(2026, 9, 27) in reasons


def test_national_day_2025_with_makeup_saturday():
    # 2025-09-28 (Sun) and 2025-10-11 (Sat) are make-up working days; 10-01..10-08 are off.
    assert chinese_calendar.is_workday(D(2025, 9, 28)) and D(2025, 9, 28).weekday() == 6
    assert chinese_calendar.is_workday(D(2025, 10, 11)) and D(2025, 10, 11).weekday() == 5
    assert all(chinese_calendar.is_holiday(D(2025, 10, d)) for d in range(1, 9))
    assert chinese_calendar.is_workday(D(2025, 10, 9))
    # Received Sat 09-27: the Sunday make-up day is the first working day.
    assert compute_due(at(D(2025, 9, 27)), 1, "working").due_date == D(2025, 9, 28)
    # 3 working days from 09-29: 09-30, 10-09, 10-10.
    due = compute_due(at(D(2025, 9, 29)), 3, "working")
    assert due.due_date == D(2025, 10, 10)
    assert len([d for d, r in due.skipped if "法定节假日" in r]) == 8
    # 3 working days from 10-09: 10-10, 10-11 (the make-up Saturday), 10-13.
    assert compute_due(at(D(2025, 10, 9)), 3, "working").due_date == D(2025, 10, 13)
    assert is_working_day(D(2025, 10, 11)) == (True, True)


def test_calendar_days_ending_in_holiday_move_to_next_working_day():
    # 7 calendar days from 2025-09-26 ends 10-03 (holiday) → first working day after it, 10-09.
    assert chinese_calendar.is_holiday(D(2025, 10, 3)) and chinese_calendar.is_workday(D(2025, 10, 9))
    due = compute_due(at(D(2025, 9, 26)), 7, "calendar")
    assert due.due_date == D(2025, 10, 9)
    assert any("顺延" in r for _, r in due.skipped)
    # 7 calendar days from Mon 2026-03-02 ends Mon 03-09: a working day, unchanged.
    assert chinese_calendar.is_workday(D(2026, 3, 9))
    assert compute_due(at(D(2026, 3, 2)), 7, "calendar").due_date == D(2026, 3, 9)
    # Ending on a weekend → Monday.
    assert compute_due(at(D(2026, 3, 7)), 7, "calendar").due_date == D(2026, 3, 16)


def test_spring_festival_2025_and_2026():
    # 2025: 01-28..02-04 off, 01-26 (Sun) and 02-08 (Sat) make-up working days.
    assert chinese_calendar.is_workday(D(2025, 1, 26)) and chinese_calendar.is_workday(D(2025, 2, 8))
    assert chinese_calendar.is_holiday(D(2025, 2, 4)) and chinese_calendar.is_workday(D(2025, 2, 5))
    # From Fri 01-24: 01-26 (Sun, make-up), 01-27, 02-05.
    assert compute_due(at(D(2025, 1, 24)), 3, "working").due_date == D(2025, 2, 5)
    # 2026: 02-15..02-23 off, 02-14 (Sat) and 02-28 (Sat) make-up working days.
    assert chinese_calendar.is_workday(D(2026, 2, 14)) and chinese_calendar.is_workday(D(2026, 2, 28))
    assert all(not chinese_calendar.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert compute_due(at(D(2026, 2, 13)), 1, "working").due_date == D(2026, 2, 14)
    assert compute_due(at(D(2026, 2, 14)), 1, "working").due_date == D(2026, 2, 24)


def test_unknown_year_is_provisional_until_entered():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))
    assert is_working_day(D(2027, 1, 1)) == (True, False)
    due = compute_due(at(D(2026, 12, 30)), 3, "working")
    # 12-31 (Thu), then 2027 assumed weekends-only: 01-01 (Fri), 01-04 (Mon).
    assert due.due_date == D(2027, 1, 4) and due.provisional and due.unknown_years == (2027,)
    year = HolidayYear.objects.create(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarRange.objects.create(holiday_year=year, name="元旦", start=D(2027, 1, 1), end=D(2027, 1, 3))
    again = compute_due(at(D(2026, 12, 30)), 3, "working")
    assert not again.provisional
    assert again.due_date == D(2027, 1, 5)
    assert again.calendar_version != due.calendar_version


def test_makeup_day_entered_by_administrator_overrides_package():
    assert not chinese_calendar.is_workday(D(2026, 3, 7))  # an ordinary Saturday
    year = HolidayYear.objects.create(year=2026)
    CalendarRange.objects.create(holiday_year=year, kind=CalendarRange.Kind.WORKDAY, name="测试调休",
                                 start=D(2026, 3, 7), end=D(2026, 3, 7))
    assert is_working_day(D(2026, 3, 7)) == (True, True)
    assert compute_due(at(D(2026, 3, 6)), 1, "working").due_date == D(2026, 3, 7)
    # The package still supplies the rest of the year.
    assert is_working_day(D(2026, 10, 1)) == (False, True)


def test_office_closing_time(jurisdiction):
    jurisdiction.office_closes_at = datetime.time(17, 30)
    due = compute_due(at(D(2026, 9, 24)), 1, "working", jurisdiction=jurisdiction)
    assert due.due_at == timezone.make_aware(datetime.datetime(2026, 9, 28, 17, 30))
    assert "17:30" in due.explain()


def test_bad_input():
    with pytest.raises(CalendarError):
        compute_due(at(D(2026, 1, 5)), 0, "working")
    with pytest.raises(CalendarError):
        compute_due(at(D(2026, 1, 5)), 1, "weeks")


def test_due_date_command(capsys):
    call_command("due_date", "2026-09-24", "1", "working")
    assert capsys.readouterr().out.strip() == "2026-09-28"
    call_command("due_date", "2026-12-30", "3", "working")
    assert capsys.readouterr().out.strip() == "2027-01-04 provisional"
    call_command("due_date", "2026-09-30", "7", "calendar")
    assert capsys.readouterr().out.strip() == "2026-10-08"


@pytest.mark.parametrize("args", [["2026-13-01", "1", "working"], ["2026-09-24", "x", "working"],
                                  ["2026-09-24", "1", "weeks"], ["2026-09-24"], ["2026-09-24", "0", "working"]])
def test_due_date_command_bad_arguments(args, capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("due_date", *args)
    assert exc.value.code == 2
    assert "参数错误" in capsys.readouterr().err


def test_settings_checks(settings):
    from zhunru.leads.checks import check_lead_settings

    assert check_lead_settings() == []
    settings.ZHUNRU_LEADS_REMIND_AT_FRACTION = 2
    settings.ZHUNRU_LEADS_RECTIFY_LIMIT = (7, "weeks")
    assert {w.id for w in check_lead_settings()} == {"zhunru_leads.W001", "zhunru_leads.W002"}
