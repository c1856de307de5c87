"""The complaint receipt printed from the triage page: what the complainant may know, nothing internal."""

import uuid

from django.urls import reverse

from tests.security.file_text import pdf_text
from zhunru import roles


def test_the_receipt_names_the_office_and_the_code_but_nothing_internal(client, jurisdiction, make_user, make_department):
    from zhunru.portal.models import Complaint

    jurisdiction.office_name = "测试区发展和改革局"
    jurisdiction.save()
    complaint = Complaint.objects.create(
        jurisdiction=jurisdiction, description="招标公告要求投标人在本地注册分公司。", organization="某街道办事处",
        contact_name="王某", contact_phone="13900000000", internal_note="内部：与街道沟通中",
        submission_token=uuid.uuid4())
    coordinator = make_user("coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    client.force_login(coordinator)
    assert "打印回执单" in client.get(reverse("zhunru_complaint_triage", args=[complaint.pk])).content.decode()
    response = client.get(reverse("zhunru_complaint_receipt_pdf", args=[complaint.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in ("问题反映回执单", "测试区发展和改革局", complaint.display_code, "招标公告要求投标人在本地注册分公司"):
        assert expected in text, expected
    for secret in ("王某", "13900000000", "内部：与街道沟通中", "coord"):
        assert secret not in text, secret

    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[make_department("测试区市场监督管理局")])
    client.force_login(officer)
    assert client.get(reverse("zhunru_complaint_receipt_pdf", args=[complaint.pk])).status_code == 404
