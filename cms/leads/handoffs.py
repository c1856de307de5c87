"""Who must be told of a hand-off (DOMAIN.md, "Who must be told"), and what they read.

``lead_transitioned`` is sent inside the transition's transaction, so the notifications written here
commit or roll back with the change itself. The person who acted is not told of their own action.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zhunru import roles
from zhunru.clock import format_datetime
from zhunru.leads.notifications import notify


def _users():
    return get_user_model().objects.filter(is_active=True)


def department_officers(department_id) -> list:
    if department_id is None:
        return []
    return list(_users().filter(department_memberships__department_id=department_id).distinct().order_by("pk"))


def coordinators(jurisdiction_id) -> list:
    return list(_users().filter(groups__name=roles.COORDINATOR,
                                department_memberships__department__jurisdiction_id=jurisdiction_id)
                .distinct().order_by("pk"))


def extension_approvers(jurisdiction_id) -> list:
    """The extension approvers of the higher-level offices (the jurisdiction's parent and up): they decide its
    requests, not anyone of the jurisdiction itself."""
    from zhunru.models import Jurisdiction
    from zhunru.scoping import ancestor_ids

    jurisdiction = Jurisdiction.objects.filter(pk=jurisdiction_id).first()
    higher = ancestor_ids(jurisdiction) if jurisdiction is not None else []
    if not higher:
        return []
    return list(_users().filter(groups__name=roles.EXTENSION_APPROVER,
                                department_memberships__department__jurisdiction_id__in=higher)
                .distinct().order_by("pk"))


def government(jurisdiction_id) -> list:
    from zhunru.models import Department

    return list(_users().filter(department_memberships__department__jurisdiction_id=jurisdiction_id,
                                department_memberships__department__kind=Department.Kind.GOVERNMENT)
                .distinct().order_by("pk"))


def legal_reviewers(jurisdiction_id) -> list:
    return list(_users().filter(groups__name=roles.LEGAL_REVIEWER,
                                department_memberships__department__jurisdiction_id=jurisdiction_id)
                .distinct().order_by("pk"))


def _stage_department_id(lead):
    stage = lead.current_stage()
    return stage.department_id if stage is not None else (lead.responsible_unit_id or lead.competent_unit_id)


def _due(lead) -> str:
    stage = lead.current_stage()
    if stage is None:
        return ""
    return _("{get_kind_display}阶段期限届满时刻为 {format_datetime}。").format(get_kind_display=stage.get_kind_display(), format_datetime=format_datetime(stage.due_at))


def _handoff(lead, event) -> tuple[list, str, str] | None:
    """(recipients, subject, body) for a transition, or None when nobody is to be told."""
    from zhunru.leads.models import CoHandling, Escalation, Extension

    j = lead.jurisdiction_id
    action, data, note = event.action, event.data or {}, event.note
    name = _("线索“{title}”（{number}）").format(title=lead.title, number=lead.number)
    title = lead.title[:40]
    if action == "transferred":
        return (department_officers(lead.competent_unit_id), _("收到移交线索：{title}").format(title=title),
                _("{value}已将{name}移交{competent_unit}办理，请签收并核查。{due}").format(value=lead.lead_department or _('牵头部门'), name=name, competent_unit=lead.competent_unit, due=_due(lead))
                + (_("\n移交说明：{note}").format(note=note) if note else ""))
    if action == "accepted":
        return (coordinators(j), _("线索已签收：{title}").format(title=title), _("{competent_unit}已签收{name}，开始核查。{due}").format(competent_unit=lead.competent_unit, name=name, due=_due(lead)))
    if action == "verified":
        if data.get("needs_rectification"):
            body = _("{competent_unit}已报告{name}的核查结果，责任单位为{responsible_unit}。\n"
                    "核查结论：{findings}\n整改意见：{rectification_opinion}\n{due}").format(competent_unit=lead.competent_unit, name=name, responsible_unit=lead.responsible_unit, findings=lead.findings, rectification_opinion=lead.rectification_opinion, due=_due(lead))
            people = coordinators(j) + department_officers(lead.responsible_unit_id)
            return people, _("核查结果：{title}（需整改）").format(title=title), body
        return (coordinators(j), _("核查结果：{title}（无需整改）").format(title=title),
                _("{competent_unit}已报告{name}的核查结果，无需整改，请审核办结。\n核查结论：{findings}").format(competent_unit=lead.competent_unit, name=name, findings=lead.findings))
    if action == "reported":
        return (coordinators(j), _("整改情况已报告：{title}").format(title=title),
                _("{value}已报告{name}的整改情况，请审核。\n{note}").format(value=lead.responsible_unit or lead.competent_unit, name=name, note=note))
    if action == "returned":
        return (department_officers(lead.responsible_unit_id), _("退回整改：{title}").format(title=title),
                _("{name}的整改报告被退回，请重新整改。\n理由：{note}\n{due}").format(name=name, note=note, due=_due(lead)))
    if action == "extension_requested":
        ext = Extension.objects.filter(pk=data.get("extension")).select_related("stage").first()
        what = _("{days} 个{value}").format(days=ext.days, value=_('工作日') if ext.unit == 'working' else _('自然日')) if ext else ""
        return (extension_approvers(j), _("延期申请待审批：{title}").format(title=title),
                _("{name}申请延期{what}，请审批。\n延期理由：{note}\n{due}").format(name=name, what=what, note=note, due=_due(lead)))
    if action in ("extension_approved", "extension_rejected"):
        ext = Extension.objects.filter(pk=data.get("extension")).select_related("stage").first()
        dept_id = ext.stage.department_id if ext else _stage_department_id(lead)
        people = department_officers(dept_id) + coordinators(j)
        if action == "extension_approved":
            new_due = _("新的期限届满时刻为 {format_datetime}。").format(format_datetime=format_datetime(ext.new_due_at)) if ext and ext.new_due_at else ""
            return people, _("延期申请已批准：{title}").format(title=title), _("{name}的延期申请已批准。{new_due}").format(name=name, new_due=new_due) + (_("\n审批意见：{note}").format(note=note) if note else "")
        return people, _("延期申请不予批准：{title}").format(title=title), _("{name}的延期申请不予批准，请按原期限办理。\n理由：{note}\n{due}").format(name=name, note=note, due=_due(lead))
    if action == "co_handler_added":
        co = CoHandling.objects.filter(pk=data.get("co_handling")).first()
        due = _("请于 {format_datetime} 前反馈。").format(format_datetime=format_datetime(co.due_at)) if co else ""
        return (department_officers(data.get("department_id")), _("协办请求：{title}").format(title=title),
                _("{value}请贵单位协办{name}").format(value=lead.competent_unit or lead.lead_department, name=name)
                + (f"（{co.get_method_display()}，{co.get_form_display()}）" if co else "") + _("。\n协办任务：{note}\n{due}").format(note=note, due=due))
    if action == "co_handler_answered":
        return (department_officers(lead.competent_unit_id) + coordinators(j), _("协办反馈：{title}").format(title=title),
                _("{value}已反馈{name}的协办任务。\n反馈意见：{note}").format(value=data.get('department', '协办部门'), name=name, note=note))
    if action == "urged":
        return (department_officers(data.get("department_id")), _("催办：{title}").format(title=title),
                _("{value}催办{name}，请抓紧办理。{due}").format(value=lead.lead_department or _('牵头部门'), name=name, due=_due(lead))
                + (_("\n催办说明：{note}").format(note=note) if note else ""))
    if action == "escalated":
        esc = Escalation.objects.filter(pk=data.get("escalation")).select_related("stage").first()
        dept_id = esc.stage.department_id if esc and esc.stage_id else _stage_department_id(lead)
        people = department_officers(dept_id) + coordinators(j) + government(j)
        return (people, _("线索逾期督办：{title}").format(title=title),
                _("{name}已第{value}次督办升级，{escalation_target}，通报草稿已生成。\n原因：{note}").format(name=name, value=data.get('level', 1), escalation_target=escalation_target(lead.jurisdiction), note=note))
    return None


def escalation_target(jurisdiction) -> str:
    """What an escalation does, naming the government the jurisdiction escalates to (its settings)."""
    target = getattr(jurisdiction, "escalates_to", "") or ""
    return _("报请{target}关注").format(target=target) if target else _("报请本级人民政府关注")


def lead_handed_off(sender, lead, action, event, **kwargs) -> None:
    """Receiver of ``lead_transitioned``: notify the people DOMAIN.md names for this hand-off."""
    found = _handoff(lead, event)
    if found is None:
        return
    people, subject, body = found
    actor_id = event.actor_id
    people = [u for u in people if u.pk != actor_id]
    key = f"lead-escalation:{event.data['escalation']}" if action == "escalated" and event.data.get("escalation") else \
        f"lead:{lead.pk}:event:{event.pk}"
    notify(people, subject, body, obj=lead, key=key)
