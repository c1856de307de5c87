"""The working-day calendar and the deadline arithmetic of section 十二 (DOMAIN.md, "The lead deadline rule").

Day status comes from, in order: the jurisdiction's own adjustments (``LocalCalendarDay``, for its
deadlines only), a date range an administrator entered (``CalendarRange``,
overriding the package day by day), the ``chinese_calendar`` package, a year an administrator
entered (``HolidayYear``: days outside its ranges follow the weekend rule), and finally the
weekend rule marked *unknown* — any due time that
consulted an unknown day is ``provisional``.

Public API (imported by other areas; keep it stable)::

    compute_due(start, amount, unit, jurisdiction=None) -> DueTime
    is_working_day(d, jurisdiction=None) -> (working, known)
    calendar_version() -> str
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.clock import format_date, format_datetime

WORKING = "working"
CALENDAR = "calendar"
UNITS = {WORKING: gettext_lazy("工作日"), CALENDAR: gettext_lazy("自然日")}

REASON_START = gettext_lazy("起算日不计入")
REASON_WEEKEND = gettext_lazy("周末")
REASON_HOLIDAY = gettext_lazy("法定节假日")
REASON_UNKNOWN_WEEKEND = gettext_lazy("周末（该年度节假日安排未知，暂按周末计）")

_HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("元旦"),
    "Spring Festival": gettext_lazy("春节"),
    "Tomb-sweeping Day": gettext_lazy("清明节"),
    "Labour Day": gettext_lazy("劳动节"),
    "Dragon Boat Festival": gettext_lazy("端午节"),
    "National Day": gettext_lazy("国庆节"),
    "Mid-autumn Festival": gettext_lazy("中秋节"),
    "Anti-Fascist 70th Day": gettext_lazy("抗战胜利70周年纪念日"),
}

_PACKAGE_YEARS = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
# The start days a deadline may have: before 1949 Beijing time was no fixed +08:00 (the time zone database
# gives local mean time, +08:05:43, which no ISO 8601 client reads), and far-future dates overflow.
EARLIEST_START = datetime.date(1949, 10, 1)
LATEST_START = datetime.date(2100, 12, 31)


class CalendarError(ValueError):
    """Bad input to the deadline arithmetic (message in Chinese)."""


@dataclass(frozen=True)
class DayStatus:
    working: bool
    known: bool
    reason: str = ""  # why a day is a rest day, or what made a weekend a working day


@dataclass(frozen=True)
class DueTime:
    """A computed due time and everything needed to explain and recompute it."""

    start: datetime.datetime
    amount: int
    unit: str
    due_date: datetime.date
    due_at: datetime.datetime
    provisional: bool
    skipped: list[tuple[datetime.date, str]] = field(default_factory=list)
    calendar_version: str = ""
    closes_at: datetime.time | None = None
    unknown_years: tuple[int, ...] = ()

    def explain(self) -> str:
        """One line of Chinese saying how the due time was computed (Beijing time)."""
        return explain_step(self.as_json())

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "amount": self.amount,
            "unit": self.unit,
            "due_date": self.due_date.isoformat(),
            "due_at": self.due_at.isoformat(),
            "provisional": self.provisional,
            # The reasons are lazy translations: stored as text in the active language (plain JSON).
            "skipped": [[d.isoformat(), str(r)] for d, r in self.skipped],
            "calendar_version": self.calendar_version,
            "closes_at": self.closes_at.strftime("%H:%M") if self.closes_at else None,
            "unknown_years": list(self.unknown_years),
        }


def explain_step(step: dict) -> str:
    """One line of Chinese for a stored step of a due-time computation (``DueTime.as_json()``), in
    Beijing time: "自 2026年9月24日 15:00 起算 1 个工作日，届满 2026年9月28日 24:00；不计入：9月25日（中秋节）"."""
    if "approved_due_date" in step:
        return _("经{value}批准延期至 {format_date}").format(value=step.get('approver') or _('上级发展改革部门'), format_date=format_date(step['approved_due_date']))
    closing = step.get("closes_at") or "24:00"
    text = _("自 {format_datetime} 起算 {value} 个{value2}，"
            "届满 {format_date} {closing}").format(format_datetime=format_datetime(step['start']), value=step['amount'], value2=UNITS[step['unit']], format_date=format_date(step['due_date']), closing=closing)
    if step.get("skipped"):
        text += _("；不计入：") + "、".join(f"{format_date(d)[5:]}（{r}）" for d, r in step["skipped"])
    if step.get("provisional"):
        years = "、".join(str(y) for y in step.get("unknown_years", []))
        text += _("；{years}年节假日安排尚未录入，暂按周末计算，为临时期限").format(years=years)
    return text


def explain_computation(computation: dict) -> list[str]:
    """The lines of ``explain_step`` for every step a stage's stored computation holds."""
    return [explain_step(step) for step in (computation or {}).get("steps", [])]


class WorkingCalendar:
    """A snapshot of the calendar data: load once, ask many times (recomputing thousands of stages)."""

    def __init__(self, overrides: dict[datetime.date, DayStatus], entered_years: set[int], version: str,
                 local: dict[int, dict[datetime.date, DayStatus]] | None = None):
        self.overrides = overrides
        self.local = local if local is not None else {}  # jurisdiction id -> its own days, loaded when asked
        self.entered_years = entered_years
        self.version = version
        self._memo: dict = {}

    @classmethod
    def load(cls) -> WorkingCalendar:
        from zhunru.leads.models import CalendarRange, HolidayYear

        overrides: dict[datetime.date, DayStatus] = {}
        digest = hashlib.sha256(f"chinese_calendar={chinese_calendar.__version__}".encode())
        years = set()
        for y in HolidayYear.objects.order_by("year").values_list("year", flat=True):
            years.add(y)
            digest.update(f"|y{y}".encode())
        ranges = CalendarRange.objects.order_by("start", "end", "kind", "pk").values_list("kind", "name", "start", "end")
        for kind, name, start, end in ranges:
            digest.update(f"|{kind}:{name}:{start}:{end}".encode())
            day = start
            while day <= end:
                if kind == "workday":
                    overrides[day] = DayStatus(True, True, _("{name}调休上班").format(name=name))
                else:
                    overrides[day] = DayStatus(False, True, f"{REASON_HOLIDAY}（{name}）")
                day += datetime.timedelta(days=1)
        return cls(overrides, years, digest.hexdigest()[:12])

    def local_days(self, jurisdiction_id: int | None) -> dict[datetime.date, DayStatus]:
        """The jurisdiction's own rest and working days, read once per snapshot and only for that jurisdiction
        (they are not in ``version``: a change marks that jurisdiction's open stages for recomputation)."""
        if jurisdiction_id is None:
            return {}
        if jurisdiction_id not in self.local:
            from zhunru.leads.models import LocalCalendarDay

            days = LocalCalendarDay.objects.filter(jurisdiction_id=jurisdiction_id).by_jurisdiction()
            self.local[jurisdiction_id] = {day: DayStatus(working, True, reason)
                                           for day, (working, reason) in days.get(jurisdiction_id, {}).items()}
        return self.local[jurisdiction_id]

    def status(self, d: datetime.date, jurisdiction_id: int | None = None) -> DayStatus:
        local = self.local.get(jurisdiction_id)
        if local and d in local:
            return local[d]
        if d in self.overrides:
            return self.overrides[d]
        weekend = d.weekday() >= 5
        if d.year in _PACKAGE_YEARS:
            if d in chinese_calendar.holidays:
                name = _HOLIDAY_NAMES.get(chinese_calendar.holidays[d], chinese_calendar.holidays[d])
                return DayStatus(False, True, f"{REASON_HOLIDAY}（{name}）")
            if d in chinese_calendar.workdays:
                name = _HOLIDAY_NAMES.get(chinese_calendar.workdays[d], chinese_calendar.workdays[d])
                return DayStatus(True, True, _("{name}调休上班").format(name=name))
            return DayStatus(not weekend, True, REASON_WEEKEND if weekend else "")
        if d.year in self.entered_years:
            return DayStatus(not weekend, True, REASON_WEEKEND if weekend else "")
        return DayStatus(not weekend, False, REASON_UNKNOWN_WEEKEND if weekend else "")

    def is_working_day(self, d: datetime.date, jurisdiction=None) -> tuple[bool, bool]:
        jurisdiction_id = getattr(jurisdiction, "pk", None)
        self.local_days(jurisdiction_id)
        s = self.status(d, jurisdiction_id)
        return s.working, s.known

    def compute_due(self, start, amount: int, unit: str, jurisdiction=None) -> DueTime:
        day = start.date() if isinstance(start, datetime.datetime) else start
        if isinstance(day, datetime.date) and not EARLIEST_START <= day <= LATEST_START:
            raise CalendarError(
                _("起算日应在 {format_date}至 {format_date2}之间，收到“{isoformat}”。").format(format_date=format_date(EARLIEST_START), format_date2=format_date(LATEST_START), isoformat=day.isoformat())
            )
        start_dt = _as_datetime(start)
        if unit not in UNITS:
            raise CalendarError(_("期限单位应为 working（工作日）或 calendar（自然日），收到“{unit}”。").format(unit=unit))
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1 or amount > 3660:
            raise CalendarError(_("期限天数应为 1 至 3660 之间的整数，收到“{amount}”。").format(amount=amount))
        start_day = timezone.localtime(start_dt).date()
        closes_at = getattr(jurisdiction, "office_closes_at", None) if jurisdiction is not None else None
        # A jurisdiction's own days count for its deadlines only; without any, it shares the national memo.
        local_id = getattr(jurisdiction, "pk", None) if self.local_days(getattr(jurisdiction, "pk", None)) else None
        key = (start_day, amount, unit, closes_at, local_id)
        if key not in self._memo:
            self._memo[key] = self._count(start_day, amount, unit, closes_at, local_id)
        day, due_at, skipped, unknown = self._memo[key]
        return DueTime(
            start=start_dt,
            amount=amount,
            unit=unit,
            due_date=day,
            due_at=due_at,
            provisional=bool(unknown),
            skipped=list(skipped),
            calendar_version=self.version,
            closes_at=closes_at,
            unknown_years=unknown,
        )

    def _count(self, start_day: datetime.date, amount: int, unit: str, closes_at, local_id: int | None = None):
        """The date arithmetic proper; depends on the start day only, so it is memoised per snapshot."""
        skipped: list[tuple[datetime.date, str]] = [(start_day, REASON_START)]
        unknown: set[int] = set()
        day = start_day
        if unit == WORKING:
            counted = 0
            while counted < amount:
                day += datetime.timedelta(days=1)
                s = self.status(day, local_id)
                if not s.known:
                    unknown.add(day.year)
                if s.working:
                    counted += 1
                else:
                    skipped.append((day, s.reason))
        else:
            day = start_day + datetime.timedelta(days=amount)
            while True:
                s = self.status(day, local_id)
                if not s.known:
                    unknown.add(day.year)
                if s.working:
                    break
                skipped.append((day, _("期限末日为{reason}，顺延").format(reason=s.reason)))
                day += datetime.timedelta(days=1)
        tz = timezone.get_current_timezone()
        if closes_at is not None:
            due_at = datetime.datetime.combine(day, closes_at, tzinfo=tz)
        else:
            due_at = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=tz)
        return day, due_at, tuple(skipped), tuple(sorted(unknown))


def _as_datetime(start) -> datetime.datetime:
    if isinstance(start, datetime.datetime):
        return start if timezone.is_aware(start) else timezone.make_aware(start)
    if isinstance(start, datetime.date):
        return timezone.make_aware(datetime.datetime.combine(start, datetime.time(0, 0)))
    raise CalendarError(_("起算时间应为日期或日期时间。"))


def compute_due(start, amount: int, unit: str = WORKING, jurisdiction=None) -> DueTime:
    """The due time of a period of ``amount`` working or calendar days starting at ``start`` (date or datetime)."""
    return WorkingCalendar.load().compute_due(start, amount, unit, jurisdiction)


def is_working_day(d: datetime.date, jurisdiction=None) -> tuple[bool, bool]:
    """(is it a working day?, is the answer known rather than assumed from weekends?) — for ``jurisdiction``'s
    deadlines when given (its own rest and working days first)."""
    return WorkingCalendar.load().is_working_day(d, jurisdiction)


def calendar_version() -> str:
    """Changes whenever the calendar data changes (package version, entered years and ranges)."""
    return WorkingCalendar.load().version


def package_years() -> tuple[int, int]:
    """The first and last year the chinese_calendar package knows."""
    return min(_PACKAGE_YEARS), max(_PACKAGE_YEARS)


def missing_years(through: int) -> list[int]:
    """Years up to ``through`` that neither source knows (the admin warns about them)."""
    from zhunru.leads.models import HolidayYear

    entered = set(HolidayYear.objects.values_list("year", flat=True))
    first = max(_PACKAGE_YEARS) + 1
    return [y for y in range(first, through + 1) if y not in entered]
