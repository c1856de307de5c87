"""Department scorecard (section 四, 效能评估工作协调): per department and period, how its leads went.

For each department and period (a month, quarter, year, or custom dates, all Beijing calendar dates):

- 收到线索: distinct leads with a stage of the department that started in the period;
- per stage kind (移交, 核查, 整改): stages completed in the period, and of those completed by their due time;
- 期末逾期未办: the department's stages open at the end of the period past their due time;
- 延期申请 / 督办升级: extension requests made and escalations raised in the period on its stages;
- 平均办理工作日 per stage kind: working days from a stage's start to its completion (the start day not
  counted, as the lead calendar counts periods), for the stages completed in the period;
- 好差评: ratings of its service items given in the period, their mean level and the share rated
  满意 or better (非常满意, 满意, 基本满意).

Every figure comes from a fixed number of aggregate queries (one over stages, one per related register,
one for durations grouped by start and completion date), whatever the number of leads: nothing is
counted row by row in Python. Durations are grouped by their two Beijing dates, and only those distinct
date pairs are converted to working days with the lead calendar (``WorkingCalendar``).
"""

import calendar as month_calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from zhunru.clock import BEIJING

KINDS = (("transfer", gettext_lazy("移交")), ("verify", gettext_lazy("核查")), ("rectify", gettext_lazy("整改")))
PERIOD_KINDS = {"month": gettext_lazy("月度"), "quarter": gettext_lazy("季度"), "year": gettext_lazy("年度"), "custom": gettext_lazy("自定义")}
MAX_CUSTOM_DAYS = 3 * 366


class PeriodError(ValueError):
    """The requested period cannot be used; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return gettext("{year}年{month}月").format(year=self.start.year, month=self.start.month)
        if self.kind == "quarter":
            return gettext("{year}年第{value}季度").format(year=self.start.year, value=(self.start.month - 1) // 3 + 1)
        if self.kind == "year":
            return gettext("{year}年").format(year=self.start.year)
        return gettext("{year}年{month}月{day}日至{year2}年{month2}月{day2}日").format(year=self.start.year, month=self.start.month, day=self.start.day, year2=self.end.year, month2=self.end.month, day2=self.end.day)

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as [from, to) instants: Beijing midnight of its first day to that after its last."""
        start = datetime.datetime.combine(self.start, datetime.time(0), tzinfo=BEIJING)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(0), tzinfo=BEIJING)
        return start, end

    def previous(self) -> "Period":
        """The period of the same kind just before this one (a custom period: as many days before it)."""
        if self.kind == "month":
            return month_period(*(_shift_month(self.start.year, self.start.month, -1)))
        if self.kind == "quarter":
            year, month = _shift_month(self.start.year, self.start.month, -3)
            return quarter_period(year, (month - 1) // 3 + 1)
        if self.kind == "year":
            return year_period(self.start.year - 1)
        days = (self.end - self.start).days + 1
        return Period("custom", self.start - datetime.timedelta(days=days), self.start - datetime.timedelta(days=1))


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_period(year: int, month: int) -> Period:
    last = month_calendar.monthrange(year, month)[1]
    return Period("month", datetime.date(year, month, 1), datetime.date(year, month, last))


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    last = month_calendar.monthrange(year, first + 2)[1]
    return Period("quarter", datetime.date(year, first, 1), datetime.date(year, first + 2, last))


def year_period(year: int) -> Period:
    return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def _int(params, name: str, label: str, low: int, high: int, default: int) -> int:
    raw = (params.get(name) or "").strip()
    if raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise PeriodError(gettext("{label}应为 {low} 至 {high} 之间的整数。").format(label=label, low=low, high=high))
    return int(raw)


def date_param(params, name: str, label: str) -> datetime.date:
    raw = (params.get(name) or "").strip()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(gettext("{label}应为日期，格式如 2026-12-01。").format(label=label)) from None


def period_from_params(params, today: datetime.date | None = None) -> Period:
    """The period a request asks for (``period``, ``year``, ``month``, ``quarter``, ``start``, ``end``);
    by default the current Beijing month. Raises :class:`PeriodError` for values that make no period."""
    today = today or timezone.localdate(timezone=BEIJING)
    kind = (params.get("period") or "month").strip()
    if kind not in PERIOD_KINDS:
        raise PeriodError(gettext("统计周期应为月度、季度、年度或自定义。"))
    if kind == "custom":
        start, end = date_param(params, "start", gettext("开始日期")), date_param(params, "end", gettext("结束日期"))
        if end < start:
            raise PeriodError(gettext("结束日期不能早于开始日期。"))
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise PeriodError(gettext("自定义统计周期最长三年。"))
        return Period("custom", start, end)
    year = _int(params, "year", gettext("年份"), 2000, 2100, today.year)
    if kind == "year":
        return year_period(year)
    if kind == "quarter":
        return quarter_period(year, _int(params, "quarter", gettext("季度"), 1, 4, (today.month - 1) // 3 + 1))
    return month_period(year, _int(params, "month", gettext("月份"), 1, 12, today.month))


@dataclass
class Row:
    department_id: int
    name: str
    received: int = 0
    done: dict = field(default_factory=dict)  # kind -> stages completed in the period
    on_time: dict = field(default_factory=dict)  # kind -> of those, completed by their due time
    days: dict = field(default_factory=dict)  # kind -> mean working days, or None
    overdue_open: int = 0
    extensions: int = 0
    escalations: int = 0
    ratings: int = 0
    rating_mean: float | None = None
    satisfied: int = 0

    def rate(self, kind: str | None = None) -> int | None:
        """Percentage completed on time (one stage kind, or all), or None when nothing was completed."""
        kinds = [kind] if kind else [k for k, _ in KINDS]
        done = sum(self.done.get(k, 0) for k in kinds)
        if not done:
            return None
        return round(100 * sum(self.on_time.get(k, 0) for k in kinds) / done)

    @property
    def satisfaction(self) -> int | None:
        return round(100 * self.satisfied / self.ratings) if self.ratings else None


def scorecard(departments, period: Period, *, calendar=None) -> list[Row]:
    """One :class:`Row` per department of ``departments`` (a queryset), in its order."""
    from zhunru.catalog.models import ServiceRating
    from zhunru.leads.calendar import WorkingCalendar
    from zhunru.leads.models import Escalation, Extension, LeadStage

    start, end = period.bounds
    rows = {d.pk: Row(d.pk, d.name) for d in departments.only("pk", "name")}
    if not rows:
        return []
    ids = list(rows)
    in_period = Q(completed_at__gte=start, completed_at__lt=end)
    figures = {"received": Count("lead", filter=Q(started_at__gte=start, started_at__lt=end), distinct=True),
               "overdue_open": Count("pk", filter=Q(started_at__lt=end, due_at__lt=end)
                                     & (Q(completed_at__isnull=True) | Q(completed_at__gte=end)))}
    for kind, _ in KINDS:
        figures[f"done_{kind}"] = Count("pk", filter=in_period & Q(kind=kind))
        figures[f"on_time_{kind}"] = Count("pk", filter=in_period & Q(kind=kind, completed_at__lte=F("due_at")))
    for values in LeadStage.objects.filter(department_id__in=ids).values("department_id").annotate(**figures):
        row = rows[values["department_id"]]
        row.received, row.overdue_open = values["received"], values["overdue_open"]
        for kind, _ in KINDS:
            row.done[kind], row.on_time[kind] = values[f"done_{kind}"], values[f"on_time_{kind}"]

    for dept, n in (Extension.objects.filter(stage__department_id__in=ids, requested_at__gte=start,
                                             requested_at__lt=end)
                    .values_list("stage__department_id").annotate(n=Count("pk"))):
        rows[dept].extensions = n
    for dept, n in (Escalation.objects.filter(stage__department_id__in=ids, created_at__gte=start, created_at__lt=end)
                    .values_list("stage__department_id").annotate(n=Count("pk"))):
        rows[dept].escalations = n
    for dept, n, mean, satisfied in (
        ServiceRating.objects.filter(service_item__department_id__in=ids, created_at__gte=start, created_at__lt=end)
        .values_list("service_item__department_id")
        .annotate(n=Count("pk"), mean=Avg("level"), satisfied=Count("pk", filter=Q(level__gte=3)))
    ):
        rows[dept].ratings, rows[dept].rating_mean, rows[dept].satisfied = n, mean, satisfied

    # Durations: completed stages grouped by (department, kind, start date, completion date) in Beijing time.
    pairs = (
        LeadStage.objects.filter(in_period, department_id__in=ids)
        .annotate(from_day=TruncDate("started_at", tzinfo=BEIJING), to_day=TruncDate("completed_at", tzinfo=BEIJING))
        .values_list("department_id", "kind", "from_day", "to_day")
        .annotate(n=Count("pk"))
    )
    pairs = list(pairs)
    totals: dict[tuple[int, str], list[int]] = {}
    if pairs:
        calendar = calendar or WorkingCalendar.load()
        counter = _WorkingDayCounter(calendar, min(p[2] for p in pairs), max(p[3] for p in pairs))
        for dept, kind, from_day, to_day, n in pairs:
            total = totals.setdefault((dept, kind), [0, 0])
            total[0] += counter.between(from_day, to_day) * n
            total[1] += n
    for row in rows.values():
        for kind, _ in KINDS:
            days, n = totals.get((row.department_id, kind), (0, 0))
            row.days[kind] = round(days / n, 1) if n else None
    return list(rows.values())


class _WorkingDayCounter:
    """Working days after one date up to and including another, from a running count over the span."""

    def __init__(self, calendar, first: datetime.date, last: datetime.date):
        self.first = first
        self.cumulative = []
        running = 0
        day = first
        while day <= last:
            running += 1 if calendar.is_working_day(day)[0] else 0
            self.cumulative.append(running)
            day += datetime.timedelta(days=1)

    def between(self, start: datetime.date, end: datetime.date) -> int:
        if end <= start:
            return 0
        return self.cumulative[(end - self.first).days] - self.cumulative[(start - self.first).days]


def compare(current: list[Row], previous: list[Row]) -> list[dict]:
    """Each department's row beside its previous-period row, with the change of its on-time rate."""
    before = {row.department_id: row for row in previous}
    out = []
    for row in current:
        prev = before.get(row.department_id)
        rate, prev_rate = row.rate(), prev.rate() if prev else None
        out.append({"row": row, "previous": prev,
                    "rate_change": None if rate is None or prev_rate is None else rate - prev_rate})
    return out


COLUMNS = [
    (gettext_lazy("部门"), 28), (gettext_lazy("收到线索"), 10),
    *[(format_lazy(gettext_lazy("{label}完成"), label=label), 10) for _, label in KINDS],
    *[(format_lazy(gettext_lazy("{label}按时"), label=label), 10) for _, label in KINDS],
    (gettext_lazy("按时办结率"), 10), (gettext_lazy("上期按时办结率"), 12),
    *[(format_lazy(gettext_lazy("{label}平均工作日"), label=label), 12) for _, label in KINDS],
    (gettext_lazy("期末逾期未办"), 12), (gettext_lazy("延期申请"), 10), (gettext_lazy("督办升级"), 10), (gettext_lazy("好差评数"), 10), (gettext_lazy("平均评价等级"), 12), (gettext_lazy("满意率"), 10),
]


def percent(value) -> str:
    return "—" if value is None else f"{value}%"


def table_values(item: dict) -> list:
    row, prev = item["row"], item["previous"]
    return [
        row.name, row.received,
        *[row.done.get(k, 0) for k, _ in KINDS],
        *[row.on_time.get(k, 0) for k, _ in KINDS],
        percent(row.rate()), percent(prev.rate() if prev else None),
        *["—" if row.days.get(k) is None else row.days[k] for k, _ in KINDS],
        row.overdue_open, row.extensions, row.escalations, row.ratings,
        "—" if row.rating_mean is None else round(row.rating_mean, 2), percent(row.satisfaction),
    ]


def workbook(items: list[dict], title: str) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhunru.exports import xlsx_row

    wb = Workbook()
    ws = wb.active
    ws.title = gettext("部门考评")
    ws.append(xlsx_row(ws, [title]))
    ws.append([str(name) for name, _ in COLUMNS])  # lazy translations: openpyxl takes str only
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = width
    for item in items:
        ws.append(xlsx_row(ws, table_values(item)))
    ws.freeze_panes = "B3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
