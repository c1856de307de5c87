"""Documents built from the register: the archive catalogue (XLSX, PDF) and a bulletin as an official document."""

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_lazy

from zhunru.clock import format_date, format_datetime

CJK_FONT = "STSong-Light"  # Adobe's built-in CID font: Chinese text without shipping a font file
OFFICIAL_RED = "#C8161D"

CATALOGUE_COLUMNS = [
    ("archive_number", gettext_lazy("档号"), 28),
    ("register_number", gettext_lazy("登记编号"), 24),
    ("title", gettext_lazy("案例名称"), 40),
    ("category", gettext_lazy("类别"), 18),
    ("importance", gettext_lazy("重要程度"), 12),
    ("organization", gettext_lazy("涉及单位"), 24),
    ("reporting_department", gettext_lazy("报送部门"), 20),
    ("registered_on", gettext_lazy("登记日期"), 12),
    ("archived_on", gettext_lazy("归档日期"), 12),
    ("keywords", gettext_lazy("关键词"), 20),
]


def catalogue_rows(cases: Iterable) -> list[dict]:
    """One row per archived case, in the order given (see ``CaseQuerySet.catalogue``)."""
    rows = []
    for case in cases:
        rows.append(
            {
                "archive_number": case.archive_number or "",
                "register_number": case.register_number or "",
                "title": case.title,
                "category": case.get_category_display()
                + (f"（{case.get_subcategory_display()}）" if case.subcategory else ""),
                "importance": case.get_importance_display(),
                "organization": case.organization,
                "reporting_department": case.reporting_department.name,
                "registered_on": format_date(case.registered_at),
                "archived_on": format_date(case.archived_at),
                "keywords": case.keywords,
            }
        )
    return rows


def describe_filters(category: str = "", year: int | None = None, importance: str = "") -> str:
    from zhunru.cases.models import Category, Importance

    parts = []
    if category:
        parts.append(gettext("类别：{label}").format(label=Category(category).label))
    if year:
        parts.append(gettext("年度：{year}").format(year=year))
    if importance:
        parts.append(gettext("重要程度：{label}").format(label=Importance(importance).label))
    return "；".join(parts) or gettext("全部")


def catalogue_xlsx(cases: Iterable, *, title: str = "", filters: str = "") -> bytes:
    title, filters = title or gettext("案例档案目录"), filters or gettext("全部")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from zhunru.exports import xlsx_row

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("档案目录")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([gettext("筛选条件：{filters}").format(filters=filters), gettext("导出时间：{format_datetime}").format(format_datetime=format_datetime(timezone.now()))])
    sheet.append([str(label) for _, label, _ in CATALOGUE_COLUMNS])  # lazy translations: openpyxl takes str only
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for index, (_, _, width) in enumerate(CATALOGUE_COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=3, column=index).column_letter].width = width
    for row in catalogue_rows(cases):
        sheet.append(xlsx_row(sheet, [row[key] for key, _, _ in CATALOGUE_COLUMNS]))
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    _register_font()
    base = ParagraphStyle("body", fontName=CJK_FONT, fontSize=12, leading=20, wordWrap="CJK")
    return {
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, firstLineIndent=24),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=28, alignment=TA_CENTER, spaceAfter=12),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=22, spaceBefore=8),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
    }


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "")


def catalogue_pdf(cases: Iterable, *, title: str = "", filters: str = "") -> bytes:
    title, filters = title or gettext("案例档案目录"), filters or gettext("全部")
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    columns = [c for c in CATALOGUE_COLUMNS if c[0] != "keywords"]
    header = [Paragraph(_esc(label), styles["small"]) for _, label, _ in columns]
    body = [[Paragraph(_esc(row[key]), styles["small"]) for key, _, _ in columns] for row in catalogue_rows(cases)]
    total = sum(width for _, _, width in columns)
    widths = [doc.width * width / total for _, _, width in columns]
    table = Table([header, *body] if body else [header], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(_esc(title), styles["title"]),
        Paragraph(_esc(gettext("筛选条件：{filters}　　导出时间：{format_datetime}").format(filters=filters, format_datetime=format_datetime(timezone.now()))), styles["small"]),
        Spacer(1, 4 * mm),
        table,
    ]
    if not body:
        story.append(Paragraph(gettext("（无符合条件的归档案例）"), styles["center"]))
    doc.build(story)
    return out.getvalue()


def _paragraphs(rich_text: str) -> list[str]:
    """Plain paragraphs of a rich-text field, for the PDF."""
    import re

    blocks = re.split(r"</p>|<br\s*/?>|</h\d>|</li>", rich_text or "")
    return [strip_tags(b).strip() for b in blocks if strip_tags(b).strip()]


def bulletin_pdf(page) -> bytes:
    """A bulletin in the official-document layout: red issuing-office header, number, red rule, date."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()
    red = colors.HexColor(OFFICIAL_RED)
    header = ParagraphStyle("header", parent=styles["body"], fontSize=26, leading=36, alignment=TA_CENTER,
                            textColor=red)
    number = ParagraphStyle("number", parent=styles["body"], alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=styles["body"], alignment=TA_RIGHT)

    out = io.BytesIO()
    # GB/T 9704 margins: top 37 mm, left 28 mm, right 26 mm, bottom 35 mm.
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=37 * mm, leftMargin=28 * mm, rightMargin=26 * mm,
                            bottomMargin=35 * mm, title=page.title, author=page.issuing_office)
    story = [
        Paragraph(_esc(gettext("{issuing_office}文件").format(issuing_office=page.issuing_office)), header),
        Spacer(1, 8 * mm),
        Paragraph(_esc(page.document_number), number),
        HRFlowable(width="100%", thickness=2, color=red, spaceBefore=2 * mm, spaceAfter=8 * mm),
        Paragraph(_esc(page.title), styles["title"]),
    ]
    for text in _paragraphs(page.intro):
        story.append(Paragraph(_esc(text), styles["indent"]))
    chinese_numbers = gettext("一二三四五六七八九十")
    for position, case in enumerate(page.public_cases):
        label = chinese_numbers[position] if position < len(chinese_numbers) else str(position + 1)
        story.append(Paragraph(_esc(f"{label}、{case['title']}"), styles["heading"]))
        lines = [
            gettext("案例类别：{value}").format(value=case['category_label']) + (f"（{case['subcategory_label']}）" if case["subcategory_label"] else ""),
            gettext("涉及单位：{value}").format(value=case['organization']) + (f"（{case['region']}）" if case["region"] else ""),
        ]
        if case["document_name"]:
            lines.append(gettext("涉及文件：{value} {value2}").format(value=case['document_name'], value2=case['document_number']).strip())
        lines.append(gettext("基本案情：{value}").format(value=case['summary']))
        if case["violated_clause"]:
            lines.append(gettext("违反规定：{value}").format(value=case['violated_clause']))
        if case["handling_result"]:
            lines.append(gettext("处理及整改结果：{value}").format(value=case['handling_result']))
        if case["commentary"]:
            lines.append(gettext("案例点评：{value}").format(value=case['commentary']))
        for line in lines:
            story.append(Paragraph(_esc(line), styles["indent"]))
    for text in _paragraphs(page.closing):
        story.append(Paragraph(_esc(text), styles["indent"]))
    story += [
        Spacer(1, 14 * mm),
        Paragraph(_esc(page.issuing_office), right),
        Paragraph(_esc(gettext("{year}年{month}月{day}日").format(year=page.issue_date.year, month=page.issue_date.month, day=page.issue_date.day)), right),
    ]
    doc.build(story)
    return out.getvalue()
