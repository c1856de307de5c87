"""The periodic deadline scan: remind (due soon / due today / overdue), mark overdue, escalate by rule.

Each condition is one indexed query over open stages, walked by keyset pagination in chunks, and
each stage carries flags for what was already done, so a second run finds nothing to do and
100,000 open leads never sit in memory.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru import roles
from zhunru.clock import format_datetime
from zhunru.leads import conf
from zhunru.leads.notifications import notify

log = logging.getLogger(__name__)

OPEN_STATES = ["received", "transferred", "verifying", "rectifying"]


@dataclass
class ScanResult:
    due_soon: int = 0
    due_today: int = 0
    overdue: int = 0
    escalated: int = 0
    notifications: int = 0
    stages_seen: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {"errors": len(self.errors)}


class _Recipients:
    """Who to tell, cached per scan: a department's members, a jurisdiction's coordinators."""

    def __init__(self):
        self._dept: dict[int, list] = {}
        self._coord: dict[int, list] = {}

    def department(self, dept_id):
        from django.contrib.auth import get_user_model

        if dept_id is None:
            return []
        if dept_id not in self._dept:
            self._dept[dept_id] = list(get_user_model().objects.filter(
                is_active=True, department_memberships__department_id=dept_id).distinct())
        return self._dept[dept_id]

    def coordinators(self, jurisdiction_id):
        from django.contrib.auth import get_user_model

        if jurisdiction_id not in self._coord:
            self._coord[jurisdiction_id] = list(get_user_model().objects.filter(
                is_active=True, groups__name=roles.COORDINATOR,
                department_memberships__department__jurisdiction_id=jurisdiction_id).distinct())
        return self._coord[jurisdiction_id]


def _walk(queryset, chunk_size: int, key: str = "pk"):
    """Yield rows of ``queryset`` in (``key``, pk) order, one chunk at a time (keyset pagination).

    With ``key`` the threshold column of a partial index (see LeadStage.Meta.indexes) each chunk is a range
    read of that index, never a scan of every open stage. Each chunk runs in one transaction (one commit
    per chunk, not per stage); each stage's work runs in a savepoint of it, so one failing stage does not
    undo the others.
    """
    from django.db.models import Q

    last_key, last_pk = None, 0
    ordering = ("pk",) if key == "pk" else (key, "pk")
    while True:
        page = queryset
        if key == "pk":
            page = page.filter(pk__gt=last_pk)
        elif last_key is not None:
            # Row comparison (key, pk) > (last_key, last_pk), with a plain range the index bounds.
            page = page.filter(Q(**{f"{key}__gt": last_key}) | Q(**{key: last_key, "pk__gt": last_pk}),
                               **{f"{key}__gte": last_key})
        # Keys first (a narrow, ordered read the planner answers from the partial index and stops at the
        # limit), then the rows by primary key: a wide select with joins tempted PostgreSQL into a parallel
        # sequential scan and sort whenever it over-estimated how many stages are past a threshold.
        ids = list(page.order_by(*ordering).values_list("pk", flat=True)[:chunk_size])
        chunk = list(queryset.model.objects.filter(pk__in=ids).select_related("lead", "lead__jurisdiction", "department")
                     .order_by(*ordering))
        if not chunk:
            return
        with transaction.atomic():
            yield from chunk
        last_pk = chunk[-1].pk
        if key != "pk":
            last_key = getattr(chunk[-1], key)


def scan_deadlines(now: datetime.datetime | None = None, *, chunk_size: int | None = None) -> ScanResult:
    """One pass of the deadline tracker; idempotent."""
    from zhunru.leads.models import LeadStage

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    chunk_size = chunk_size or conf.get("SCAN_CHUNK_SIZE")
    result = ScanResult()
    people = _Recipients()
    # Each query's WHERE holds its partial index's predicate word for word (completed_at IS NULL and the
    # condition's flag), and walks the index's threshold column: PostgreSQL reads only the index range of
    # stages past their threshold and not yet acted on (tests/leads/test_tracking_scan_plan.py).
    open_stages = LeadStage.objects.filter(completed_at__isnull=True, lead__state__in=OPEN_STATES)

    for stage in _walk(open_stages.filter(overdue_reminded=False, due_at__lte=now), chunk_size, "due_at"):
        result.stages_seen += 1
        _overdue(stage, now, people, result)
    for stage in _walk(open_stages.filter(today_reminded=False, due_date=today, due_at__gt=now), chunk_size, "due_at"):
        result.stages_seen += 1
        _remind(stage, "today", people, result)
    for stage in _walk(open_stages.filter(soon_reminded=False, remind_at__lte=now, due_at__gt=now)
                       .exclude(due_date=today), chunk_size, "remind_at"):
        result.stages_seen += 1
        _remind(stage, "soon", people, result)
    for stage in _walk(open_stages.filter(escalated_at__isnull=True, escalate_at__lte=now), chunk_size, "escalate_at"):
        result.stages_seen += 1
        _escalate(stage, now, people, result)
    _track_co_handling(now, people, result, chunk_size)
    if result.stages_seen:
        log.info("期限扫描：%s", result.as_dict())
    return result


def _track_co_handling(now, people: _Recipients, result: ScanResult, chunk_size: int) -> None:
    """Co-handling requests past their due time without an answer: the co-handling department, the competent
    unit and the coordinators are told once; past ``escalate_at`` the lead is escalated, naming the department."""
    from zhunru.leads.models import CoHandling

    waiting = CoHandling.objects.filter(answered_at__isnull=True, lead__state__in=OPEN_STATES)
    for co in _walk(waiting.filter(due_at__lte=now, overdue_reminded=False), chunk_size):
        result.stages_seen += 1
        lead = co.lead
        body = _("{department}协办线索“{title}”（{number}）的任务应于 {format_datetime} 前反馈，"
                "现已逾期，请立即反馈。\n协办任务：{task}").format(department=co.department, title=lead.title, number=lead.number, format_datetime=format_datetime(co.due_at), task=co.task)
        users = (people.department(co.department_id) + people.department(lead.competent_unit_id)
                 + people.coordinators(lead.jurisdiction_id))
        with transaction.atomic():
            result.notifications += notify(users, _("协办逾期：{value}").format(value=lead.title[:40]), body, obj=lead,
                                           key=f"co-handling:{co.pk}:overdue:{co.due_at.isoformat()}")
            CoHandling.objects.filter(pk=co.pk).update(overdue_reminded=True)
        result.overdue += 1
    for co in _walk(waiting.filter(escalate_at__lte=now, escalated_at__isnull=True), chunk_size):
        result.stages_seen += 1
        try:
            with transaction.atomic():
                co.lead.escalate(by=None, reason=_("{department}逾期未反馈协办任务（应于 {format_datetime} "
                                                 "前反馈），按规则督办升级。").format(department=co.department, format_datetime=format_datetime(co.due_at)))
                CoHandling.objects.filter(pk=co.pk).update(escalated_at=now)
        except Exception as exc:  # one bad lead must not stop the scan
            log.exception("协办督办升级失败：协办 %s", co.pk)
            result.errors.append(f"co-handling {co.pk}: {exc}")
            continue
        result.escalated += 1


def _describe(stage) -> str:
    lead = stage.lead
    text = _("线索“{title}”（{number}）的{get_kind_display}阶段由{value}办理，"
            "期限届满时刻为 {format_datetime}").format(title=lead.title, number=lead.number, get_kind_display=stage.get_kind_display(), value=stage.department or _('有关单位'), format_datetime=format_datetime(stage.due_at))
    if stage.provisional:
        text += _("（临时期限：相关年度节假日安排尚未录入）")
    return text + "。"


def _remind(stage, which: str, people: _Recipients, result: ScanResult) -> None:
    from zhunru.leads.models import LeadStage

    label = {"today": _("今日到期"), "soon": _("即将到期")}[which]
    key = f"lead-stage:{stage.pk}:{which}:{stage.due_at.isoformat()}"
    with transaction.atomic():
        result.notifications += notify(people.department(stage.department_id), _("线索{label}：{value}").format(label=label, value=stage.lead.title[:40]),
                                       _describe(stage) + _("请按时办理；确需延期的，请书面申请。"), obj=stage.lead, key=key)
        LeadStage.objects.filter(pk=stage.pk).update(**{f"{which}_reminded": True})
    setattr(result, "due_today" if which == "today" else "due_soon", getattr(result, "due_today" if which == "today" else "due_soon") + 1)


def _overdue(stage, now, people: _Recipients, result: ScanResult) -> None:
    from zhunru.leads.models import LeadEvent, LeadStage

    key = f"lead-stage:{stage.pk}:overdue:{stage.due_at.isoformat()}"
    with transaction.atomic():
        users = people.department(stage.department_id) + people.coordinators(stage.lead.jurisdiction_id)
        result.notifications += notify(users, _("线索已逾期：{value}").format(value=stage.lead.title[:40]),
                                       _describe(stage) + _("现已逾期，请立即办理并说明原因。"), obj=stage.lead, key=key)
        LeadStage.objects.filter(pk=stage.pk).update(overdue_reminded=True, overdue_marked_at=now, today_reminded=True,
                                                     soon_reminded=True)
        LeadEvent.objects.create(lead=stage.lead, action="overdue", to_state=stage.lead.state, at=now,
                                 note=_("{get_kind_display}阶段已逾期").format(get_kind_display=stage.get_kind_display()), data={"stage": stage.pk})
    result.overdue += 1


def _escalate(stage, now, people: _Recipients, result: ScanResult) -> None:
    lead = stage.lead
    try:
        with transaction.atomic():
            # lead.escalate() sends lead_transitioned: zhunru.leads.handoffs tells the department's officers,
            # the coordinators and the government, in this transaction.
            lead.escalate(by=None, stage=stage,
                          reason=_describe(stage) + _("逾期已超过规定工作日，按规则督办升级。"))
    except Exception as exc:  # one bad lead must not stop the scan
        log.exception("督办升级失败：线索 %s", lead.pk)
        result.errors.append(f"{lead.number}: {exc}")
        return
    result.escalated += 1
