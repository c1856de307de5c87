"""The batch files of the exchange (admin 报送对账 page): outbox records written in the national 双公示 field
layouts of EXCHANGE.md, one layout per record kind. An XLSX workbook holds one sheet per kind (行政许可,
行政处罚, 失信记录, 撤下记录); a CSV file holds one kind. Each row is checked as it would be before sending
and a record that would be refused says why in the last column, so the file is never silently incomplete."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from zhunru.credit import layouts
from zhunru.exports import csv_row, xlsx_row

KINDS = (layouts.LICENSING, layouts.PENALTY, layouts.DISHONESTY, layouts.REPAIR)


def headers(kind: str) -> list[str]:
    return [gettext("记录标识"), gettext("报送平台"), gettext("报送状态")] + [name for _, name in layouts.fields(kind)] + [gettext("校验结果")]


def _problem(kind: str, payload: dict) -> str:
    try:
        layouts.validate_payload(kind, payload)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def rows(records, kind: str):
    """The rows of ``kind`` among ``records`` (a QuerySet of OutboundRecord), oldest first."""
    keys = [key for key, _ in layouts.fields(kind)]
    for r in records.filter(kind=kind).select_related("platform").order_by("created_at", "pk").iterator(2000):
        payload = r.payload or {}
        yield ([str(r.record_id), r.platform.name, r.get_status_display()]
               + [layouts.text(payload.get(k)) for k in keys] + [_problem(kind, payload)])


def export_csv(records, kind: str) -> bytes:
    layouts.fields(kind)  # an unknown kind is refused before anything is written
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers(kind))
    w.writerows(csv_row(row) for row in rows(records, kind))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_xlsx(records, kinds=KINDS) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for kind in kinds:
        ws = wb.create_sheet(layouts.TITLES[kind])
        ws.append(headers(kind))
        for row in rows(records, kind):
            ws.append(xlsx_row(ws, row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
