"""Printable forms (A4 PDF, Chinese text): one layout for every 单 and 表 the mechanisms hand out.

A form has the issuing office's name (from the jurisdiction's settings, ``Jurisdiction.office``) over its
title, a document number line, a two-column table of fields, optional sections of free text, and a
closing block (the office and the Beijing date). Text is set in the CID font STSong-Light, which every
PDF reader carries, so no font file ships with the plugin.

    pdf = form_pdf(PrintedForm(office=..., title="线索交办单", number=..., fields=[("线索编号", "…")]))
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.timezone import now
from django.utils.translation import gettext as _

from zhunru.clock import format_date, format_datetime

CJK_FONT = "STSong-Light"


@dataclass
class PrintedForm:
    office: str
    title: str
    number: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    signatures: list[str] = field(default_factory=list)  # labels of signature lines, e.g. "经办人"
    note: str = ""  # small print at the foot


def _styles():
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "body": body,
        "office": ParagraphStyle("office", parent=body, fontSize=14, leading=22, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=4),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", parent=body, fontSize=12, leading=20, spaceBefore=6),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=12),
    }


def _p(text: str, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def form_pdf(form: PrintedForm) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=25 * mm, bottomMargin=20 * mm, leftMargin=22 * mm,
                            rightMargin=22 * mm, title=form.title, author=form.office)
    story = [_p(form.office, styles["office"]), _p(form.title, styles["title"])]
    if form.number:
        story.append(_p(form.number, styles["number"]))
    story.append(Spacer(1, 3 * mm))
    if form.fields:
        table = Table([[_p(label, styles["body"]), _p(value, styles["body"])] for label, value in form.fields],
                      colWidths=[38 * mm, doc.width - 38 * mm])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    for heading, text in form.sections:
        story += [_p(heading, styles["heading"]), _p(text or _("（无）"), styles["body"])]
    if form.signatures:
        story.append(Spacer(1, 10 * mm))
        story += [_p(f"{label}：________________", styles["right"]) for label in form.signatures]
    story += [Spacer(1, 8 * mm), _p(form.office, styles["right"]), _p(format_date(now()), styles["right"])]
    if form.note:
        story += [Spacer(1, 6 * mm), _p(form.note, styles["small"])]
    story.append(_p(_("打印时间：{format_datetime}").format(format_datetime=format_datetime(now())), styles["small"]))
    doc.build(story)
    return out.getvalue()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """An inline PDF download; ``filename`` ASCII (the title is inside the document)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
