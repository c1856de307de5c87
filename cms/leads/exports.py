"""The lead ledger (线索台账) as XLSX: the columns a coordinator reports upward."""

import io

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhunru.clock import format_datetime
from zhunru.exports import xlsx_row

COLUMNS = [
    (gettext_lazy("序号"), 6), (gettext_lazy("线索编号"), 22), (gettext_lazy("来源"), 10), (gettext_lazy("接收时间"), 17), (gettext_lazy("线索标题"), 36), (gettext_lazy("涉及经营主体"), 24),
    (gettext_lazy("统一社会信用代码"), 20), (gettext_lazy("主管单位"), 22), (gettext_lazy("责任单位"), 22), (gettext_lazy("协办部门"), 24), (gettext_lazy("状态"), 8), (gettext_lazy("当前阶段"), 8),
    (gettext_lazy("当前阶段期限"), 17), (gettext_lazy("是否逾期"), 8), (gettext_lazy("临时期限"), 8), (gettext_lazy("延期次数"), 8), (gettext_lazy("督办次数"), 8), (gettext_lazy("核查结论"), 36),
    (gettext_lazy("整改意见"), 36), (gettext_lazy("办结时间"), 17),
]


def _dt(value) -> str:
    return format_datetime(value)


def ledger_workbook(leads, now=None) -> bytes:
    """Write ``leads`` (a queryset, streamed) into a workbook and return its bytes."""
    now = now or timezone.now()
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = gettext("线索台账")
    ws.append([str(name) for name, _ in COLUMNS])  # lazy translations: openpyxl takes str only
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    qs = leads.select_related("competent_unit", "responsible_unit", "jurisdiction").prefetch_related(
        "stages", "co_handlers__department", "extensions")
    for n, lead in enumerate(qs, start=1):
        open_stages = [s for s in lead.stages.all() if s.completed_at is None]
        stage = open_stages[-1] if open_stages else None
        ws.append(xlsx_row(ws, [
            n, lead.number, lead.get_source_display(), _dt(lead.received_at), lead.title, lead.subject_name,
            lead.subject_uscc, str(lead.competent_unit or ""), str(lead.responsible_unit or ""),
            "、".join(str(c.department) for c in lead.co_handlers.all()), lead.get_state_display(),
            stage.get_kind_display() if stage else "", _dt(stage.due_at) if stage else "",
            gettext("是") if stage and stage.due_at < now else gettext("否"), gettext("是") if stage and stage.provisional else gettext("否"),
            sum(1 for e in lead.extensions.all() if e.status == "approved"), lead.escalation_level,
            lead.findings, lead.rectification_opinion, _dt(lead.closed_at),
        ]))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
