"""Periodic work of the register: cases due for review, the 安全检查 of stored files, overdue ledger entries."""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.cases import integrations

log = logging.getLogger(__name__)


def notify_due_reviews(today: datetime.date | None = None) -> dict[str, int]:
    """Tell each jurisdiction's register keepers which cases are due for their periodic review."""
    from zhunru.cases.models import Case, RegisterSettings
    from zhunru.models import Jurisdiction

    today = today or timezone.localdate()
    due = Case.objects.due_for_review(today).select_related("jurisdiction").order_by("register_year", "register_serial")
    counts: dict[str, int] = {}
    for jurisdiction in Jurisdiction.objects.filter(pk__in=due.values("jurisdiction_id")):
        cases = [c for c in due if c.jurisdiction_id == jurisdiction.pk]
        register = RegisterSettings.for_jurisdiction(jurisdiction)
        lines = [
            _("- {register_number} {title}（{get_importance_display}，上次审核：{value}）").format(register_number=c.register_number, title=c.title, get_importance_display=c.get_importance_display(), value=c.last_reviewed_on or _('无'))
            for c in cases
        ]
        body = (
            _("{name}案例登记簿中有 {count} 件案例已到定期审核时间"
            "（市场准入负面清单登记管理制度第十三条），请审核、更新后在后台记录审核：\n\n").format(name=jurisdiction.name, count=len(cases)) + "\n".join(lines)
        )
        integrations.notify(
            register.keepers(), _("【案例定期审核】{name} {count} 件案例待审核").format(name=jurisdiction.name, count=len(cases)), body,
            addresses=register.keeper_addresses(), obj=jurisdiction, key=f"cases:review:{jurisdiction.pk}:{today}",
            url="/admin/snippets/zhunru_cases/case/",
        )
        counts[jurisdiction.name] = len(cases)
    return counts


def run_integrity_check():
    """Re-hash every stored attachment, keep the findings as an IntegrityReport and alert the keepers."""
    from zhunru.cases.models import IntegrityReport, RegisterSettings
    from zhunru.models import Attachment, Jurisdiction
    from zhunru.uploads import file_sha256

    report = IntegrityReport.objects.create(started_at=timezone.now())
    missing, altered, checked = [], [], 0
    for attachment in Attachment.objects.select_related("department", "content_type").iterator():
        checked += 1
        actual = file_sha256(attachment)
        if actual == attachment.sha256:
            continue
        row = {
            "attachment": str(attachment.uuid),
            "name": attachment.original_name,
            "owner": f"{attachment.content_type.app_label}.{attachment.content_type.model}#{attachment.object_id}",
            "department": attachment.department.name if attachment.department else "",
            "expected": attachment.sha256,
        }
        if actual is None:
            missing.append(row)
        else:
            altered.append({**row, "actual": actual})
    report.checked, report.missing, report.altered = checked, missing, altered
    report.finished_at = timezone.now()
    report.save()
    record("case.integrity_check", obj=report, changes={"checked": checked, "missing": len(missing),
                                                       "altered": len(altered)}, note=report.summary())
    if not report.ok:
        body = report.summary() + "\n\n" + "\n".join(
            [_("缺失：{value}（{value2}，{value3}）").format(value=r['name'], value2=r['owner'], value3=r['department']) for r in missing]
            + [_("被改动：{value}（{value2}，{value3}）").format(value=r['name'], value2=r['owner'], value3=r['department']) for r in altered]
        )
        for jurisdiction in Jurisdiction.objects.all():
            register = RegisterSettings.for_jurisdiction(jurisdiction)
            integrations.notify(register.keepers(), _("【安全检查】发现缺失或被改动的案例资料"), body,
                                addresses=register.keeper_addresses(), obj=report,
                                key=f"cases:integrity:{report.pk}:{jurisdiction.pk}",
                                url=reverse("wagtailsnippets_zhunru_cases_integrityreport:inspect", args=[report.pk]))
    return report


def remind_overdue_ledger_entries(today: datetime.date | None = None) -> int:
    """Remind the responsible unit (and the keepers) of each overdue ledger entry, at most once a day."""
    from zhunru.cases.models import LedgerEntry, RegisterSettings
    from zhunru.models import DepartmentMembership

    today = today or timezone.localdate()
    recompute_provisional_deadlines()  # a year entered since yesterday may move deadlines
    reminded = 0
    overdue = LedgerEntry.objects.overdue(today).exclude(last_reminded_on=today)
    for entry in overdue.select_related("responsible_unit__jurisdiction"):
        with transaction.atomic():
            locked = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
            if locked.last_reminded_on == today:
                continue
            unit = entry.responsible_unit
            officers = [m.user for m in DepartmentMembership.objects.filter(department=unit).select_related("user")]
            register = RegisterSettings.for_jurisdiction(unit.jurisdiction)
            days = (today - entry.deadline).days
            body = _(
                "问题台账事项已超过整改期限 {days} 天，请尽快整改并上传整改印证材料。\n\n"
                "问题：{problem}\n依据：{basis}\n责任单位：{name}\n"
                "整改期限：{deadline}\n当前状态：{get_status_display}"
            ).format(days=days, problem=entry.problem, basis=entry.basis, name=unit.name, deadline=entry.deadline, get_status_display=entry.get_status_display())
            addresses = [a for a in [unit.email, *register.keeper_addresses()] if a]
            integrations.notify([*officers, *register.keepers()], _("【问题台账逾期】{name}").format(name=unit.name), body,
                                addresses=addresses, obj=entry, key=f"ledger:{entry.pk}:overdue:{today}",
                                url=reverse("wagtailsnippets_zhunru_cases_ledgerentry:inspect", args=[entry.pk]))
            locked.last_reminded_on = today
            locked.save(update_fields=["last_reminded_on"])
            record("ledger.overdue_reminder", obj=entry, department=unit, changes={"days_overdue": days})
            reminded += 1
    return reminded


def recompute_provisional_deadlines() -> int:
    """Recompute ledger deadlines that depended on a year the calendar did not know; returns how many moved."""
    from zhunru.cases.models import LedgerEntry

    moved = 0
    pending = LedgerEntry.objects.filter(deadline_provisional=True, time_limit_days__isnull=False)
    for entry in pending.select_related("department__jurisdiction"):
        start = timezone.localdate(entry.created_at)
        due, provisional = integrations.deadline(
            start, entry.time_limit_days, entry.time_limit_unit, jurisdiction=entry.department.jurisdiction
        )
        if (due, provisional) != (entry.deadline, entry.deadline_provisional):
            record("ledger.deadline_recomputed", obj=entry, department=entry.responsible_unit,
                   changes={"deadline": [str(entry.deadline), str(due)], "provisional": [True, provisional]})
            LedgerEntry.objects.filter(pk=entry.pk).update(deadline=due, deadline_provisional=provisional)
            moved += 1
    return moved
