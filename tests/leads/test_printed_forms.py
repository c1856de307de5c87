"""Printable PDF forms of a lead: 交办单, 督办单, 延期申请表 — Chinese text, the jurisdiction's office name."""

import pytest
from django.urls import reverse

from tests.security.file_text import pdf_text


@pytest.fixture
def handled_lead(make_lead, depts, people, jurisdiction, make_user):
    jurisdiction.office_name = "测试区发展和改革局"
    jurisdiction.escalates_to = "测试区人民政府"
    jurisdiction.save()
    lead = make_lead(title="某镇招标文件设置本地企业限制", subject_name="某建设工程有限公司")
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.accept(by=people["market"])
    lead.request_extension(by=people["market"], days=2, reason="需调取三年来的招标档案")
    lead.approve_extension(by=make_user("root", superuser=True), days=2, note="同意延期")
    lead.escalate(by=people["coordinator"], reason="核查进度缓慢")
    return lead


def fetch(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return pdf_text(response.content)


def test_the_forms_carry_the_lead_and_the_office(client, handled_lead, people):
    client.force_login(people["market"])
    lead = handled_lead
    transfer = fetch(client, reverse("zhunru_lead_print_transfer", args=[lead.pk]))
    for text in ("测试区发展和改革局", "线索交办单", lead.number, "测试区市场监督管理局", "某建设工程有限公司", "0137"):
        assert text in transfer, text
    extension = fetch(client, reverse("zhunru_lead_print_extension", args=[lead.extensions.get().pk]))
    for text in ("线索办理延期申请表", "需调取三年来的招标档案", "已批准", "同意延期", "测试市发展和改革委员会"):
        assert text in extension, text
    escalation = fetch(client, reverse("zhunru_lead_print_escalation", args=[lead.escalations.get().pk]))
    for text in ("线索督办单", "核查进度缓慢", "测试区人民政府", "第 1 次"):
        assert text in escalation, text
    timeline = client.get(reverse("zhunru_lead_timeline", args=[lead.pk])).content.decode()
    assert "打印线索交办单" in timeline and "打印延期申请表" in timeline and "打印督办单" in timeline


def test_someone_who_may_not_see_the_lead_gets_404(client, handled_lead, people):
    client.force_login(people["housing"])
    lead = handled_lead
    for url in (reverse("zhunru_lead_print_transfer", args=[lead.pk]),
                reverse("zhunru_lead_print_extension", args=[lead.extensions.get().pk]),
                reverse("zhunru_lead_print_escalation", args=[lead.escalations.get().pk])):
        assert client.get(url).status_code == 404


def test_each_jurisdiction_s_form_names_its_own_office(db):
    """Two offices on one installation, named as the notices name them: each form carries its own office."""
    from zhunru.leads.forms_pdf import transfer_form
    from zhunru.leads.models import Lead
    from zhunru.models import Department, Jurisdiction

    offices = {}
    for code, name, short, office in (("360202", "景德镇市昌江区", "昌", "景德镇市昌江区发展和改革委员会"),
                                      ("141081", "侯马市", "侯", "侯马市发展和改革局")):
        jurisdiction = Jurisdiction.objects.create(name=name, short_name=short, level="district", division_code=code,
                                                   office_name=office)
        Department.objects.create(jurisdiction=jurisdiction, name=office, is_lead=True, kind="development_reform")
        offices[office] = Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.COMPLAINT,
                                                   title="某镇限定本地企业投标")
    for office, lead in offices.items():
        text = pdf_text(transfer_form(lead))
        assert office in text and not any(other in text for other in offices if other != office)
