"""The lead tracker's printable forms (issue 20, item 3): 线索交办单, 督办单 and 延期申请表.

Each names the jurisdiction's office (``Jurisdiction.office``) and the lead's number; times are Beijing
time. The admin serves them from the lead's 办理过程 page to whoever may see the lead.
"""

from zhunru.clock import format_datetime
from zhunru.printing import PrintedForm, form_pdf


def _unit(department) -> str:
    return department.name if department is not None else "（未指定）"


def _stage(lead, kind: str):
    return next((s for s in lead.stages.all() if s.kind == kind), None)


def transfer_form(lead) -> bytes:
    """线索交办单: the lead department hands the lead to the competent unit, with the verify deadline."""
    verify = _stage(lead, "verify")
    fields = [
        ("线索编号", lead.number),
        ("线索标题", lead.title),
        ("线索来源", lead.get_source_display()),
        ("接收时间", format_datetime(lead.received_at)),
        ("涉及经营主体", " ".join(x for x in (lead.subject_name, lead.subject_uscc) if x) or "（无）"),
        ("交办单位", _unit(lead.lead_department)),
        ("承办单位（主管单位）", _unit(lead.competent_unit)),
        ("交办时间", format_datetime(verify.started_at) if verify else "（尚未移交）"),
        ("核查办理期限", format_datetime(verify.due_at) + ("（临时期限）" if verify.provisional else "")
         if verify else "（尚未移交）"),
    ]
    rule = lead.jurisdiction.lead_rule_name
    return form_pdf(PrintedForm(
        office=lead.jurisdiction.office, title="线索交办单", number=f"编号：{lead.number}", fields=fields,
        sections=[("线索内容", lead.description), ("办理要求",
                   f"请按“{rule}”时限要求签收并核查，明确责任单位、提出整改意见，在办理期限内报告核查结果；"
                   "确需延期的，应在期限届满前书面申请。")],
        signatures=["交办人", "签收人"]))


def escalation_form(escalation) -> bytes:
    """督办单: the lead is escalated to the jurisdiction's government, with the circulation draft."""
    lead = escalation.lead
    stage = escalation.stage
    fields = [
        ("线索编号", lead.number),
        ("线索标题", lead.title),
        ("督办次数", f"第 {escalation.level} 次"),
        ("督办时间", format_datetime(escalation.created_at)),
        ("逾期阶段", stage.get_kind_display() if stage else "（无）"),
        ("承办单位", _unit(stage.department) if stage else "（无）"),
        ("原办理期限", format_datetime(stage.due_at) if stage else "（无）"),
        ("报请机关", lead.jurisdiction.escalates_to or "（未设置）"),
    ]
    return form_pdf(PrintedForm(
        office=lead.jurisdiction.office, title="线索督办单", number=f"编号：{lead.number}-督{escalation.level}",
        fields=fields, sections=[("督办事由", escalation.reason), ("通报草稿", escalation.circulation_draft)],
        signatures=["督办人"]))


def extension_form(extension) -> bytes:
    """延期申请表: the competent unit's written application and the higher-level office's decision."""
    lead = extension.lead
    stage = extension.stage
    decided = extension.status != extension.Status.PENDING
    fields = [
        ("线索编号", lead.number),
        ("线索标题", lead.title),
        ("申请阶段", stage.get_kind_display()),
        ("申请单位", _unit(stage.department)),
        ("申请人", _person(extension.requested_by)),
        ("申请时间", format_datetime(extension.requested_at)),
        ("当前办理期限", format_datetime(stage.due_at)),
        ("申请延期", f"{extension.days} 个{extension.get_unit_display()}"),
        ("审批机关", lead.jurisdiction.higher_office_name or "（未设置）"),
        ("审批结果", extension.get_status_display()),
        ("审批人", _person(extension.decided_by) if decided else "（待审批）"),
        ("审批时间", format_datetime(extension.decided_at) if decided else "（待审批）"),
        ("批准后的期限", format_datetime(extension.new_due_at) if extension.new_due_at else "—"),
    ]
    return form_pdf(PrintedForm(
        office=lead.jurisdiction.office, title="线索办理延期申请表", number=f"编号：{lead.number}-延{extension.pk}",
        fields=fields, sections=[("延期理由", extension.reason), ("审批意见", extension.decision_note)],
        signatures=["申请单位负责人", "审批人"]))


def _person(user) -> str:
    if user is None:
        return "（无）"
    return user.get_full_name() or user.get_username()
