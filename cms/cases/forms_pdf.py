"""The case register's printable form: 案例登记及办结报告 (issue 20, item 3), from the case's listing buttons."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.cases.models import Case
from zhunru.clock import format_date, format_datetime
from zhunru.printing import PrintedForm, form_pdf, pdf_response


def case_report(case) -> bytes:
    fields = [
        (_("登记编号"), case.register_number or _("（尚未登记）")),
        (_("档号"), case.archive_number or _("（尚未归档）")),
        (_("案例名称"), case.title),
        (_("案例类别"), case.get_category_display() + (f"（{case.get_subcategory_display()}）" if case.subcategory else "")),
        (_("重要程度"), case.get_importance_display()),
        (_("涉及单位"), case.organization + (f"（{case.region}）" if case.region else "")),
        (_("涉及文件"), " ".join(x for x in (case.document_name, case.document_number) if x) or _("（无）")),
        (_("事实发生日期"), format_date(case.facts_date) or _("（不详）")),
        (_("报送部门"), case.reporting_department.name),
        (_("报送时间"), format_datetime(case.reported_at)),
        (_("登记时间"), format_datetime(case.registered_at) or _("（尚未登记）")),
        (_("状态"), case.get_status_display()),
        (_("关联线索"), "、".join(lead.number for lead in case.leads.all()) or _("（无）")),
    ]
    return form_pdf(PrintedForm(
        office=case.jurisdiction.office, title=_("违规案例登记及办结报告"),
        number=_("编号：{register_number}").format(register_number=case.register_number) if case.register_number else "",
        fields=fields,
        sections=[(_("基本案情"), case.summary), (_("违反的规定条款"), case.violated_clause),
                  (_("处理及整改结果"), case.handling_result)],
        signatures=[_("经办人"), _("审核人")],
        note=_("本报告含内部信息，仅供内部查阅。")))


def case_report_view(request, pk: int):
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("jurisdiction", "reporting_department"), pk=pk)
    record("case.print", obj=case, actor=request.user, request=request, changes={"form": _("案例登记及办结报告")})
    return pdf_response(case_report(case), f"case-{case.pk}-report.pdf")
