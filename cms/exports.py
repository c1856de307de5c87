"""Tabular downloads (CSV with a BOM so Excel reads the Chinese, or XLSX) for admin views."""

import csv
import io
from urllib.parse import quote

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")


def table_response(header: list[str], rows, filename: str, fmt: str) -> HttpResponse:
    """``filename`` without extension; ``fmt`` is "csv" or "xlsx"."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in rows:
            sheet.append([str(v) if v is not None else "" for v in row])
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        content = ("\ufeff" + out.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
        fmt = "csv"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.{fmt}"
    return response
