"""Who must be told of a hand-off (DOMAIN.md, "Who must be told"), and what they read.

``lead_transitioned`` is sent inside the transition's transaction, so the notifications written here
commit or roll back with the change itself. The person who acted is not told of their own action.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

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
    return f"{stage.get_kind_display()}阶段期限届满时刻为 {format_datetime(stage.due_at)}。"


def _handoff(lead, event) -> tuple[list, str, str] | None:
    """(recipients, subject, body) for a transition, or None when nobody is to be told."""
    from zhunru.leads.models import CoHandling, Escalation, Extension

    j = lead.jurisdiction_id
    action, data, note = event.action, event.data or {}, event.note
    name = f"线索“{lead.title}”（{lead.number}）"
    title = lead.title[:40]
    if action == "transferred":
        return (department_officers(lead.competent_unit_id), f"收到移交线索：{title}",
                f"{lead.lead_department or '牵头部门'}已将{name}移交{lead.competent_unit}办理，请签收并核查。{_due(lead)}"
                + (f"\n移交说明：{note}" if note else ""))
    if action == "accepted":
        return (coordinators(j), f"线索已签收：{title}", f"{lead.competent_unit}已签收{name}，开始核查。{_due(lead)}")
    if action == "verified":
        if data.get("needs_rectification"):
            body = (f"{lead.competent_unit}已报告{name}的核查结果，责任单位为{lead.responsible_unit}。\n"
                    f"核查结论：{lead.findings}\n整改意见：{lead.rectification_opinion}\n{_due(lead)}")
            people = coordinators(j) + department_officers(lead.responsible_unit_id)
            return people, f"核查结果：{title}（需整改）", body
        return (coordinators(j), f"核查结果：{title}（无需整改）",
                f"{lead.competent_unit}已报告{name}的核查结果，无需整改，请审核办结。\n核查结论：{lead.findings}")
    if action == "reported":
        return (coordinators(j), f"整改情况已报告：{title}",
                f"{lead.responsible_unit or lead.competent_unit}已报告{name}的整改情况，请审核。\n{note}")
    if action == "returned":
        return (department_officers(lead.responsible_unit_id), f"退回整改：{title}",
                f"{name}的整改报告被退回，请重新整改。\n理由：{note}\n{_due(lead)}")
    if action == "extension_requested":
        ext = Extension.objects.filter(pk=data.get("extension")).select_related("stage").first()
        what = f"{ext.days} 个{'工作日' if ext.unit == 'working' else '自然日'}" if ext else ""
        return (extension_approvers(j), f"延期申请待审批：{title}",
                f"{name}申请延期{what}，请审批。\n延期理由：{note}\n{_due(lead)}")
    if action in ("extension_approved", "extension_rejected"):
        ext = Extension.objects.filter(pk=data.get("extension")).select_related("stage").first()
        dept_id = ext.stage.department_id if ext else _stage_department_id(lead)
        people = department_officers(dept_id) + coordinators(j)
        if action == "extension_approved":
            new_due = f"新的期限届满时刻为 {format_datetime(ext.new_due_at)}。" if ext and ext.new_due_at else ""
            return people, f"延期申请已批准：{title}", f"{name}的延期申请已批准。{new_due}" + (f"\n审批意见：{note}" if note else "")
        return people, f"延期申请不予批准：{title}", f"{name}的延期申请不予批准，请按原期限办理。\n理由：{note}\n{_due(lead)}"
    if action == "co_handler_added":
        co = CoHandling.objects.filter(pk=data.get("co_handling")).first()
        due = f"请于 {format_datetime(co.due_at)} 前反馈。" if co else ""
        return (department_officers(data.get("department_id")), f"协办请求：{title}",
                f"{lead.competent_unit or lead.lead_department}请贵单位协办{name}"
                + (f"（{co.get_method_display()}，{co.get_form_display()}）" if co else "") + f"。\n协办任务：{note}\n{due}")
    if action == "co_handler_answered":
        return (department_officers(lead.competent_unit_id) + coordinators(j), f"协办反馈：{title}",
                f"{data.get('department', '协办部门')}已反馈{name}的协办任务。\n反馈意见：{note}")
    if action == "urged":
        return (department_officers(data.get("department_id")), f"催办：{title}",
                f"{lead.lead_department or '牵头部门'}催办{name}，请抓紧办理。{_due(lead)}"
                + (f"\n催办说明：{note}" if note else ""))
    if action == "escalated":
        esc = Escalation.objects.filter(pk=data.get("escalation")).select_related("stage").first()
        dept_id = esc.stage.department_id if esc and esc.stage_id else _stage_department_id(lead)
        people = department_officers(dept_id) + coordinators(j) + government(j)
        return (people, f"线索逾期督办：{title}",
                f"{name}已第{data.get('level', 1)}次督办升级，{escalation_target(lead.jurisdiction)}，通报草稿已生成。\n原因：{note}")
    return None


def escalation_target(jurisdiction) -> str:
    """What an escalation does, naming the government the jurisdiction escalates to (its settings)."""
    target = getattr(jurisdiction, "escalates_to", "") or ""
    return f"报请{target}关注" if target else "报请本级人民政府关注"


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
