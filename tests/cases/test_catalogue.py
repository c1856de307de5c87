import io

import pytest
from openpyxl import load_workbook

from cms import roles
from cms.audit.models import AuditEvent
from cms.cases.models import Case, Category


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
