"""Admin views of the lead tracker: timeline with actions, evidence upload, coordinator dashboard, ledger export."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhunru.audit.recording import record
from zhunru.clock import format_date
from zhunru.leads.calendar import explain_computation
from zhunru.leads.dashboard import cached_dashboard_figures
from zhunru.leads.exports import ledger_workbook
from zhunru.leads.models import CoHandling, Lead, LeadReport
from zhunru.leads.scorecard import PeriodError, date_param
from zhunru.scoping import get_visible_or_404, is_read_only, sees_jurisdiction, visible_departments


def _lead(request, pk) -> Lead:
    """The lead if the user may see it; 404 otherwise, and a lead of someone else's scope is audited
    (越权访问尝试), as a foreign approver's reach for another office's extension request is."""
    return get_visible_or_404(Lead, request, pk=pk)


def timeline(request, pk):
    lead = _lead(request, pk)
    now = timezone.now()
    stages = []
    for stage in lead.stages.select_related("department").order_by("started_at", "pk"):
        late = stage.lateness()
        stages.append({
            "stage": stage, "explain": explain_computation(stage.computation), "open": stage.completed_at is None,
            "late": late > datetime.timedelta(0), "late_text": _duration(abs(late)),
        })
    reports = lead.reports.select_related("department", "author").prefetch_related("attachments")
    departments = visible_departments(request.user).filter(jurisdiction=lead.jurisdiction)
    mine = set(request.user.department_memberships.values_list("department_id", flat=True))
    read_only = is_read_only(request.user)
    # Evidence goes on a report by its own department (LeadReport.add_evidence): offer the upload to them only.
    evidence_department_ids = ({r.department_id for r in reports} if request.user.is_superuser
                               else set() if read_only else mine)
    return TemplateResponse(request, "zhunru_leads/admin/timeline.html", {
        "lead": lead, "stages": stages, "now": now,
        "events": lead.events.select_related("actor"),
        "reports": reports, "co_handlers": lead.co_handlers.select_related("department"),
        "extensions": lead.extensions.select_related("requested_by", "decided_by"),
        "escalations": lead.escalations.all(),
        "all_departments": lead.jurisdiction.departments.all(),
        "my_departments": departments,
        "my_department_ids": mine, "read_only": read_only, "evidence_department_ids": evidence_department_ids,
        "allowed": lead.allowed_actions(request.user),
        "methods": CoHandling.Method.choices, "forms": CoHandling.Form.choices,
        "header_title": _("线索办理过程：{number}").format(number=lead.number),
    })


def _duration(delta: datetime.timedelta) -> str:
    days, hours = delta.days, delta.seconds // 3600
    return _("{days}天{hours}小时").format(days=days, hours=hours) if days else _("{hours}小时{value}分").format(hours=hours, value=(delta.seconds % 3600) // 60)


def _dept(lead, value):
    if not value:
        return None
    return lead.jurisdiction.departments.filter(pk=value).first()


@require_POST
def lead_action(request, pk, action):
    """Run one transition from the timeline page; errors come back as messages, nothing is lost."""
    lead = _lead(request, pk)
    p = request.POST
    by = request.user
    try:
        if action == "transfer":
            lead.transfer(to=_dept(lead, p.get("department")), by=by, note=p.get("note", ""), request=request)
        elif action == "accept":
            lead.accept(by=by, note=p.get("note", ""), request=request)
        elif action == "verify":
            needs = p.get("needs_rectification", "1") == "1"
            lead.verify(by=by, findings=p.get("findings", ""), responsible_unit=_dept(lead, p.get("department")),
                        opinion=p.get("opinion", ""), needs_rectification=needs, request=request)
            LeadReport.objects.create(lead=lead, kind=LeadReport.Kind.VERIFICATION, department=lead.competent_unit,
                                      text=p.get("findings", ""), author=by)
        elif action == "report":
            lead.report(by=by, summary=p.get("summary", ""), request=request)
            LeadReport.objects.create(lead=lead, kind=LeadReport.Kind.RECTIFICATION,
                                      department=lead.responsible_unit or lead.competent_unit, text=p.get("summary", ""), author=by)
        elif action == "return":
            lead.return_for_rework(by=by, note=p.get("note", ""), request=request)
        elif action == "close":
            lead.close(by=by, note=p.get("note", ""), request=request)
        elif action == "request_extension":
            lead.request_extension(by=by, days=_int(p.get("days")), unit=p.get("unit", "working"),
                                   reason=p.get("reason", ""), request=request)
        elif action == "approve_extension":
            date = p.get("new_due_date")
            lead.approve_extension(by=by, new_due_date=datetime.date.fromisoformat(date) if date else None,
                                   note=p.get("note", ""), request=request)
        elif action == "reject_extension":
            lead.reject_extension(by=by, note=p.get("note", ""), request=request)
        elif action == "escalate":
            lead.escalate(by=by, reason=p.get("reason", "") or _("协调员督办"), request=request)
        elif action == "urge":
            lead.urge(by=by, note=p.get("note", ""), request=request)
        elif action == "co_handler":
            dept = _dept(lead, p.get("department"))
            if dept is None:
                raise ValidationError(_("请选择协办部门。"))
            CoHandling.set_up(lead, department=dept, task=p.get("task", ""), duties=p.get("duties", ""),
                              method=p.get("method", ""), form=p.get("form", ""), limit_amount=_int(p.get("days")),
                              limit_unit=p.get("unit", "working"), by=by, request=request)
        elif action == "co_answer":
            co = get_object_or_404(CoHandling, pk=_int(p.get("co")), lead=lead)
            co.respond(answer=p.get("answer", ""), by=by, request=request)
        else:
            raise ValidationError(_("未知的操作。"))
    except (ValidationError, PermissionDenied, ValueError) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("操作未完成：{text}").format(text=text))
    else:
        messages.success(request, done_message(lead, action, p))
    return redirect("zhunru_lead_timeline", pk=lead.pk)


def _unit(department) -> str:
    return (department.short_name or department.name) if department else _("有关单位")


def done_message(lead, action: str, data) -> str:
    """What just happened, in the words of the timeline: who has the lead now and until when (Beijing time)."""
    lead.refresh_from_db()
    stage = lead.current_stage()
    due = format_date(stage.due_date) if stage else ""
    head = _("线索 {number}").format(number=lead.number)
    if action == "transfer":
        return _("{head} 已转办至 {unit}，办理期限 {due}。").format(head=head, unit=_unit(lead.competent_unit), due=due)
    if action == "accept":
        return _("{head} 已签收，开始核查，核查期限 {due}。").format(head=head, due=due)
    if action == "verify":
        if lead.state == lead.State.RECTIFYING and stage:
            return _("{head} 核查结果已报告，已交 {unit} 整改，整改期限 {due}。").format(head=head, unit=_unit(stage.department), due=due)
        return _("{head} 核查结果已报告，状态：{get_state_display}。").format(head=head, get_state_display=lead.get_state_display())
    if action == "report":
        return _("{head} 整改情况已报告，待 {unit} 审核办结。").format(head=head, unit=_unit(lead.lead_department))
    if action == "return":
        return _("{head} 已退回 {unit} 整改，整改期限 {due}。").format(head=head, unit=_unit(stage.department if stage else None), due=due)
    if action == "close":
        return _("{head} 已办结。").format(head=head)
    if action == "request_extension":
        approver = lead.jurisdiction.higher_office_name or _("上级发展改革部门")
        return _("{head} 的延期申请已提交，待{approver}审批。").format(head=head, approver=approver)
    if action == "approve_extension":
        return _("{head} 的延期已批准，新的办理期限 {due}。").format(head=head, due=due)
    if action == "reject_extension":
        return _("{head} 的延期申请未获批准，办理期限仍为 {due}。").format(head=head, due=due)
    if action == "escalate":
        return _("{head} 已督办升级（第 {escalation_level} 次）。").format(head=head, escalation_level=lead.escalation_level)
    if action == "urge":
        return _("{head} 已催办 {unit}，办理期限 {due}。").format(head=head, unit=_unit(stage.department if stage else None), due=due)
    if action == "co_handler":
        co = lead.co_handlers.order_by("-pk").first()
        if co is not None:
            return _("{head} 已设立协办部门 {unit}，反馈期限 {format_date}。").format(head=head, unit=_unit(co.department), format_date=format_date(co.due_at))
        return _("{head} 已设立协办部门。").format(head=head)
    if action == "co_answer":
        return _("{head} 的协办反馈已提交。").format(head=head)
    return _("{head} 已更新。").format(head=head)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("“{value}”不是有效的天数。").format(value=value or '')) from None


@require_POST
def report_evidence(request, pk):
    report = get_object_or_404(LeadReport.objects.select_related("lead"), pk=pk)
    if not report.attachment_visible_to(request.user):
        raise PermissionDenied(_("您无权查看该报告。"))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("请选择文件。"))
        report.add_evidence(upload, by=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("上传失败：") + ("；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)))
    else:
        messages.success(request, _("印证材料已上传。"))
    return redirect("zhunru_lead_timeline", pk=report.lead_id)


def dashboard(request):
    """Counts, on-time rates and the overdue list, filtered by the period received, department and state."""
    if not sees_jurisdiction(request.user):
        raise PermissionDenied(_("仅发改委协调员和审计员可查看线索督办看板。"))
    leads = Lead.objects.visible_to(request.user)
    departments = visible_departments(request.user).order_by("jurisdiction__division_code", "sort_order", "name")
    params = request.GET
    errors = []
    chosen = {name: (params.get(name) or "").strip() for name in ("start", "end", "department", "state")}
    for name, label, lookup in (("start", _("接收日期（起）"), "received_at__date__gte"),
                                ("end", _("接收日期（止）"), "received_at__date__lte")):
        if chosen[name]:
            try:
                leads = leads.filter(**{lookup: date_param(chosen, name, label)})
            except PeriodError as error:
                errors.append(str(error))
    if chosen["department"]:
        department = departments.filter(pk=chosen["department"]).first() if chosen["department"].isdigit() else None
        if department is None:
            errors.append(_("所选部门不存在或您无权查看。"))
        else:
            handled = Lead.objects.filter(Q(competent_unit=department) | Q(responsible_unit=department)
                                          | Q(lead_department=department) | Q(stages__department=department))
            leads = leads.filter(pk__in=handled.values("pk"))
    if chosen["state"]:
        if chosen["state"] in Lead.State.values:
            leads = leads.filter(state=chosen["state"])
        else:
            errors.append(_("所选状态无效。"))
    context = {"header_title": _("线索督办看板"), "now": timezone.now(), "chosen": chosen, "errors": errors,
               "departments": departments, "states": Lead.State.choices}
    if errors:
        return TemplateResponse(request, "zhunru_leads/admin/dashboard.html", context, status=400)
    context["f"] = cached_dashboard_figures(leads)
    return TemplateResponse(request, "zhunru_leads/admin/dashboard.html", context)


def export_ledger(request):
    if not request.user.has_perm("zhunru_leads.export_lead") and not request.user.is_superuser:
        raise PermissionDenied(_("您无权导出线索台账。"))
    leads = Lead.objects.visible_to(request.user).order_by("received_at", "pk")
    state = request.GET.get("state")
    if state:
        leads = leads.filter(state=state)
    count = leads.count()
    data = ledger_workbook(leads)
    record("lead.export", actor=request.user, request=request, object_type="zhunru_leads.lead",
           object_repr=_("线索台账"), changes={"rows": count, "state": state or ""})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"lead-ledger-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
