"""Tabular downloads (CSV with a BOM so Excel reads the Chinese, or XLSX) for admin views.

Every export writes its cells through this module so no cell opens as a live formula (the OWASP
CSV-injection rule): text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (also
after leading spaces, and their full-width forms) is written as text. In CSV it is prefixed with a single
quote; in XLSX it stays unchanged but is stored as a string with the quote prefix (``'``) style, so the
spreadsheet shows the text and never evaluates it.
"""

import csv
import io
from urllib.parse import quote

from django.http import HttpResponse

from zhunru.clock import spreadsheet_value

FORMATS = ("csv", "xlsx")

# A spreadsheet reads a cell starting with one of these as a formula (full-width forms too: Excel and WPS
# convert them when the user confirms the cell).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_LEADING_BLANKS = " \u3000\n\x0b\x0c"


def is_formula_like(value) -> bool:
    """True for text a spreadsheet would take for a formula (or a DDE call)."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in FORMULA_TRIGGERS:
        return True
    stripped = value.lstrip(_LEADING_BLANKS)
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def csv_cell(value):
    """A CSV cell: formula-like text gets a leading single quote; other values are unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_row(values) -> list:
    return [csv_cell(v) for v in values]


def xlsx_cell(sheet, value):
    """An openpyxl cell for ``sheet.append`` (normal or write-only sheets): formula-like text is a string
    cell (data type "s") with the quote prefix, so it opens as text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    if is_formula_like(value) or cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values) -> list:
    return [xlsx_cell(sheet, v) for v in values]


class SafeSpreadsheetExportMixin:
    """For Wagtail's SpreadsheetExportMixin views (IndexView ``?export=csv|xlsx``): Wagtail turns formula
    cells into strings in XLSX but writes CSV cells as they are."""

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {field: csv_cell(self.preprocess_field_value(field, value, self.FORMAT_CSV))
             for field, value in row_dict.items()}
        )

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format=date_format):
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
            yield cell


def table_response(header: list[str], rows, filename: str, fmt: str) -> HttpResponse:
    """``filename`` without extension; ``fmt`` is "csv" or "xlsx". Dates and times are written in Beijing
    time as a person reads them (zhunru.clock)."""
    header = [str(h) for h in header]  # lazy translations: openpyxl and plain encoders take str only
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(xlsx_row(sheet, header))
        for row in rows:
            sheet.append(xlsx_row(sheet, [str(spreadsheet_value(v)) if v is not None else "" for v in row]))
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(csv_row(header))
        writer.writerows(csv_row(spreadsheet_value(v) for v in row) for row in rows)
        content = ("\ufeff" + out.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
        fmt = "csv"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.{fmt}"
    return response
