import io

import pytest
from openpyxl import load_workbook

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.cases.models import Case, Category


def archived(make_case, title, **kwargs):
    case = make_case(title, **kwargs)
    case.register()
    case.start_review()
    case.archive()
    return case


@pytest.mark.django_db
def test_catalogue_lists_archived_cases_by_filters(make_case):
    a = archived(make_case, "甲案", importance="major")
    b = archived(make_case, "乙案", category=Category.UNFAIR_COMPETITION, subcategory="false_qualification")
    registered = make_case("未归档")
    registered.register()

    assert list(Case.objects.catalogue()) == [a, b]
    assert list(Case.objects.catalogue(category=Category.UNFAIR_COMPETITION)) == [b]
    assert list(Case.objects.catalogue(importance="major")) == [a]
    assert list(Case.objects.catalogue(year=a.archive_year)) == [a, b]
    assert not Case.objects.catalogue(year=a.archive_year - 1).exists()
    assert a.archive_number.endswith("-Y-0001") and b.archive_number.endswith("-D10-0002")


@pytest.mark.django_db
def test_catalogue_view_and_exports(client, make_case, coordinator, make_user, officer_department):
    a = archived(make_case, "甲案", importance="major")
    archived(make_case, "乙案", category=Category.UNFAIR_COMPETITION, subcategory="false_qualification")
    client.force_login(coordinator)

    html = client.get("/admin/case_catalogue/").content.decode()
    assert "甲案" in html and "乙案" in html and a.archive_number in html

    html = client.get("/admin/case_catalogue/", {"importance": "major"}).content.decode()
    assert "甲案" in html and "乙案" not in html

    xlsx = client.get("/admin/case_catalogue/", {"export": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:3] == ("档号", "登记编号", "案例名称")
    assert [r[2] for r in rows[3:]] == ["甲案", "乙案"]
    assert rows[3][0] == a.archive_number

    pdf = client.get("/admin/case_catalogue/", {"export": "pdf", "category": "unfair_competition"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="case.catalogue_export").count() == 2

    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])
    client.force_login(officer)
    refused = client.get("/admin/case_catalogue/", {"export": "xlsx"})
    assert refused.status_code in (302, 403) and not refused.content.startswith(b"PK")


@pytest.mark.django_db
def test_admin_case_steps(client, make_case, coordinator, make_user, officer_department):
    case = make_case()
    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])
    client.force_login(officer)
    assert client.get("/admin/snippets/zhunru_cases/case/").status_code == 200
    assert client.post(f"/admin/cases/{case.pk}/register/").status_code in (302, 403)
    case.refresh_from_db()
    assert case.status == "reported"

    client.force_login(coordinator)
    listing = client.get("/admin/snippets/zhunru_cases/case/").content.decode()
    assert f"/admin/cases/{case.pk}/register/" in listing
    assert client.get(f"/admin/cases/{case.pk}/register/").status_code == 200  # confirmation
    assert client.post(f"/admin/cases/{case.pk}/register/").status_code == 302
    case.refresh_from_db()
    assert case.register_number and case.status == "registered"
    # Registering twice is refused with a message, nothing changes.
    client.post(f"/admin/cases/{case.pk}/register/")
    case.refresh_from_db()
    assert case.register_serial == 1


@pytest.mark.django_db
def test_department_scoping_of_register(make_case, make_user, make_department, officer_department):
    other = make_department("测试区商务局")
    mine = make_case("本部门报送")
    make_case("其他部门报送", reporting_department=other)
    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])
    assert list(Case.objects.visible_to(officer)) == [mine]
    assert mine.attachment_visible_to(officer)
    assert not Case.objects.get(title="其他部门报送").attachment_visible_to(officer)


@pytest.mark.django_db
def test_admin_case_forms_render(client, coordinator, make_case):
    case = make_case()
    client.force_login(coordinator)
    assert client.get("/admin/snippets/zhunru_cases/case/add/").status_code == 200
    edit = client.get(f"/admin/snippets/zhunru_cases/case/edit/{case.pk}/")
    assert edit.status_code == 200 and "案例来源（不公开）" in edit.content.decode()
    assert client.get("/admin/snippets/zhunru_cases/ledgerentry/").status_code == 200
    assert client.get("/admin/snippets/zhunru_cases/inspectioncampaign/add/").status_code == 200


@pytest.mark.django_db
def test_case_files_upload_and_scoped_download(client, make_case, make_user, make_department, officer_department):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case()
    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])
    outsider = make_user("outsider", groups=[roles.DEPARTMENT_OFFICER], departments=[make_department("测试区商务局")])
    client.force_login(officer)
    url = f"/admin/cases/{case.pk}/files/"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client.post(url, {"file": SimpleUploadedFile("调查笔录.pdf", pdf)})
    client.post(url, {"file": SimpleUploadedFile("脚本.pdf", b"#!/bin/sh\n")})  # refused by content
    [attachment] = case.attachments
    assert attachment.original_name == "调查笔录.pdf" and attachment.department == officer_department
    assert "调查笔录.pdf" in client.get(url).content.decode()
    assert client.get(f"/attachments/{attachment.uuid}/").status_code == 200

    client.force_login(outsider)
    assert client.get(f"/attachments/{attachment.uuid}/").status_code == 403
    assert client.get(url).status_code in (302, 404)


@pytest.mark.django_db
def test_ledger_promotion_from_admin(client, coordinator, officer_department):
    import datetime

    from zhunru.cases.models import LedgerEntry

    entry = LedgerEntry.objects.create(
        department=officer_department, responsible_unit=officer_department, problem="限制外地企业参与投标",
        basis="招标投标法第六条", deadline=datetime.date(2026, 1, 1),
    )
    client.force_login(coordinator)
    assert "转为案例" in client.get("/admin/snippets/zhunru_cases/ledgerentry/").content.decode()
    response = client.post(f"/admin/cases/ledger/{entry.pk}/promote/",
                           {"category": "discriminatory", "subcategory": "bidding", "importance": "important"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.promoted_case.importance == "important" and entry.promoted_case.subcategory == "bidding"
