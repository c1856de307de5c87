"""The lead tracker's printable forms (issue 20, item 3): 线索交办单, 督办单 and 延期申请表.

Each names the jurisdiction's office (``Jurisdiction.office``) and the lead's number; times are Beijing
time. The admin serves them from the lead's 办理过程 page to whoever may see the lead.
"""

from django.utils.translation import gettext as _

from zhunru.clock import format_datetime
from zhunru.printing import PrintedForm, form_pdf


def _unit(department) -> str:
    return department.name if department is not None else _("（未指定）")


def _stage(lead, kind: str):
    return next((s for s in lead.stages.all() if s.kind == kind), None)


def transfer_form(lead) -> bytes:
    """线索交办单: the lead department hands the lead to the competent unit, with the verify deadline."""
    verify = _stage(lead, "verify")
    fields = [
        (_("线索编号"), lead.number),
        (_("线索标题"), lead.title),
        (_("线索来源"), lead.get_source_display()),
        (_("接收时间"), format_datetime(lead.received_at)),
        (_("涉及经营主体"), " ".join(x for x in (lead.subject_name, lead.subject_uscc) if x) or _("（无）")),
        (_("交办单位"), _unit(lead.lead_department)),
        (_("承办单位（主管单位）"), _unit(lead.competent_unit)),
        (_("交办时间"), format_datetime(verify.started_at) if verify else _("（尚未移交）")),
        (_("核查办理期限"), format_datetime(verify.due_at) + (_("（临时期限）") if verify.provisional else "")
         if verify else _("（尚未移交）")),
    ]
    rule = lead.jurisdiction.lead_rule_name
    return form_pdf(PrintedForm(
        office=lead.jurisdiction.office, title=_("线索交办单"), number=_("编号：{number}").format(number=lead.number), fields=fields,
        sections=[(_("线索内容"), lead.description), (_("办理要求"),
                   _("请按“{rule}”时限要求签收并核查，明确责任单位、提出整改意见，在办理期限内报告核查结果；"
                   "确需延期的，应在期限届满前书面申请。").format(rule=rule))],
        signatures=[_("交办人"), _("签收人")]))


def escalation_form(escalation) -> bytes:
    """督办单: the lead is escalated to the jurisdiction's government, with the circulation draft."""
    lead = escalation.lead
    stage = escalation.stage
    fields = [
        (_("线索编号"), lead.number),
        (_("线索标题"), lead.title),
        (_("督办次数"), _("第 {level} 次").format(level=escalation.level)),
        (_("督办时间"), format_datetime(escalation.created_at)),
        (_("逾期阶段"), stage.get_kind_display() if stage else _("（无）")),
        (_("承办单位"), _unit(stage.department) if stage else _("（无）")),
        (_("原办理期限"), format_datetime(stage.due_at) if stage else _("（无）")),
        (_("报请机关"), lead.jurisdiction.escalates_to or _("（未设置）")),
    ]
    return form_pdf(PrintedForm(
        office=lead.jurisdiction.office, title=_("线索督办单"), number=_("编号：{number}-督{level}").format(number=lead.number, level=escalation.level),
        fields=fields, sections=[(_("督办事由"), escalation.reason), (_("通报草稿"), escalation.circulation_draft)],
        signatures=[_("督办人")]))


def extension_form(extension) -> bytes:
    """延期申请表: the competent unit's written application and the higher-level office's decision."""
    lead = extension.lead
    stage = extension.stage
    decided = extension.status != extension.Status.PENDING
    fields = [
        (_("线索编号"), lead.number),
        (_("线索标题"), lead.title),
        (_("申请阶段"), stage.get_kind_display()),
        (_("申请单位"), _unit(stage.department)),
        (_("申请人"), _person(extension.requested_by)),
        (_("申请时间"), format_datetime(extension.requested_at)),
        (_("当前办理期限"), format_datetime(stage.due_at)),
        (_("申请延期"), _("{days} 个{get_unit_display}").format(days=extension.days, get_unit_display=extension.get_unit_display())),
        (_("审批机关"), lead.jurisdiction.higher_office_name or _("（未设置）")),
        (_("审批结果"), extension.get_status_display()),
        (_("审批人"), _person(extension.decided_by) if decided else _("（待审批）")),
        (_("审批时间"), format_datetime(extension.decided_at) if decided else _("（待审批）")),
        (_("批准后的期限"), format_datetime(extension.new_due_at) if extension.new_due_at else "—"),
    ]
    return form_pdf(PrintedForm(
        office=lead.jurisdiction.office, title=_("线索办理延期申请表"), number=_("编号：{number}-延{pk}").format(number=lead.number, pk=extension.pk),
        fields=fields, sections=[(_("延期理由"), extension.reason), (_("审批意见"), extension.decision_note)],
        signatures=[_("申请单位负责人"), _("审批人")]))


def _person(user) -> str:
    if user is None:
        return _("（无）")
    return user.get_full_name() or user.get_username()
