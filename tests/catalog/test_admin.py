"""The negative list in the admin: import, diff and export, activation, review, documents, screening,
department scoping of service items and follow-ups, rating statistics."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.catalog.conftest import OLD, write_csv
from tests.search.conftest import make_policy, policy_tree  # noqa: F401 (fixtures)
from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.catalog.documents import text_pdf
from zhunru.catalog.models import ListEdition, ListItem, RatingFollowUp, ServiceItem
from zhunru.catalog.ratings import submit_rating


@pytest.fixture
def root(make_user):
    return make_user("root", superuser=True)


@pytest.fixture
def two_departments(make_department, make_user, editions):
    old, new = editions
    dept_a, dept_b = make_department("甲局"), make_department("乙局")
    old.activate()  # 单外无单: service items sit under items of the current edition
    mine = ServiceItem.objects.create(department=dept_a, name="甲局事项", published=True)
    theirs = ServiceItem.objects.create(department=dept_b, name="乙局机密事项", published=False)
    mine.list_items.add(old.items.get(code="200003"))
    theirs.list_items.add(old.items.get(code="200001"))
    editor_a = make_user("editor_a", groups=[roles.EDITOR], departments=[dept_a])
    return {"mine": mine, "theirs": theirs, "editor_a": editor_a, "dept_a": dept_a, "dept_b": dept_b}


def assert_refused(response):
    """Wagtail's answer to a permission it does not grant: back to the dashboard with a message."""
    from django.contrib.messages import get_messages

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "没有权限" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def service_form_data(service, **changes):
    """What the service item edit form posts for ``service``, with ``changes``."""
    data = {
        "department": service.department_id,
        "name": service.name,
        "list_items": [i.pk for i in service.list_items.all()],
        "materials": service.materials,
        "status": service.status,
        "published": "on" if service.published else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_import_through_admin_reports_errors_by_row_and_imports_nothing(client, root, tmp_path):
    client.force_login(root)
    bad = write_csv(tmp_path / "bad.csv", [OLD[0], ["x", "", "12345", "", "", ""], OLD[0]])
    with open(bad, "rb") as fh:
        response = client.post("/admin/catalog/import/", {"edition": "2030年版", "file": fh})
    body = response.content.decode()
    assert response.status_code == 200
    assert "第3行：项目号「x」不是数字" in body and "第4行：事项编码「100001」与第2行重复" in body
    assert not ListEdition.objects.filter(name="2030年版").exists()

    good = write_csv(tmp_path / "good.csv", OLD)
    with open(good, "rb") as fh:
        response = client.post(
            "/admin/catalog/import/", {"edition": "2030年版", "effective_date": "2030-01-01", "file": fh}
        )
    edition = ListEdition.objects.get(name="2030年版")
    assert response.status_code == 302 and response["Location"].endswith(f"/catalog/editions/{edition.pk}/diff/")
    assert edition.items.count() == len(OLD) and str(edition.effective_date) == "2030-01-01"
    assert AuditEvent.objects.filter(action="catalog.edition_imported", object_id=str(edition.pk)).exists()

    wrong = SimpleUploadedFile("list.txt", b"hello")
    response = client.post("/admin/catalog/import/", {"edition": "2031年版", "file": wrong})
    assert "仅支持 CSV、XLSX、JSON 文件" in response.content.decode()


def test_import_through_admin_refuses_to_change_the_active_edition(client, root, tmp_path):
    client.force_login(root)
    form = client.get("/admin/catalog/import/").content.decode()
    assert "现行版本和已启用过的版本不能通过导入修改" in form and "同名版本将按事项编码更新" not in form
    with open(write_csv(tmp_path / "list.csv", OLD), "rb") as fh:
        client.post("/admin/catalog/import/", {"edition": "2030年版", "file": fh})
    edition = ListEdition.objects.get(name="2030年版")
    edition.activate()

    with open(write_csv(tmp_path / "shrunk.csv", OLD[:3]), "rb") as fh:
        response = client.post("/admin/catalog/import/", {"edition": "2030年版", "file": fh})

    body = response.content.decode()
    assert response.status_code == 200 and "文件未导入" in body
    assert "「2030年版」是现行版本" in body and "删除事项 200003" in body and "启用新版本" in body
    assert edition.items.count() == len(OLD)
    with open(write_csv(tmp_path / "same.csv", OLD), "rb") as fh:
        response = client.post("/admin/catalog/import/", {"edition": "2030年版", "file": fh})
    assert response.status_code == 302 and edition.items.count() == len(OLD)


def test_diff_view_and_exports(client, root, editions):
    old, new = editions
    client.force_login(root)
    page = client.get(f"/admin/catalog/editions/{new.pk}/diff/?against={old.pk}").content.decode()
    assert "新增 1 项，删除 1 项，变化 2 项" in page
    assert "200004" in page and "200003" in page and "事项编码由200002改为200102" in page

    exported = client.get(f"/admin/catalog/editions/{new.pk}/diff/?against={old.pk}&format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["变化", "原事项编码", "新事项编码", "事项名称", "说明"]
    assert {r[0] for r in rows[1:]} == {"新增", "删除", "变化"} and len(rows) == 5

    xlsx = client.get(f"/admin/catalog/editions/{new.pk}/diff/?against={old.pk}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == rows[0] and sheet.max_row == 5
    assert AuditEvent.objects.filter(action="catalog.diff_exported").count() == 2


def test_activation_view_shows_impact_then_flags_and_suspends(client, root, two_departments, editions):
    old, new = editions
    old.activate()
    client.force_login(root)
    preview = client.get(f"/admin/catalog/editions/{new.pk}/activate/").content.decode()
    assert "将停止受理" in preview and "甲局事项" in preview and "乙局机密事项" in preview
    assert not ListEdition.objects.get(pk=new.pk).is_active

    response = client.post(f"/admin/catalog/editions/{new.pk}/activate/")
    assert response.status_code == 302
    new.refresh_from_db()
    mine = ServiceItem.objects.get(pk=two_departments["mine"].pk)
    theirs = ServiceItem.objects.get(pk=two_departments["theirs"].pk)
    assert new.is_active and not ListEdition.objects.get(pk=old.pk).is_active
    assert mine.status == ServiceItem.SUSPENDED and mine.needs_review and "已删除" in mine.review_reason
    assert theirs.status == ServiceItem.ACCEPTING and theirs.needs_review and "准入措施描述变化" in theirs.review_reason
    assert AuditEvent.objects.filter(action="catalog.edition_activated", object_id=str(new.pk)).exists()

    # The editor decides: resume accepting, with an opinion, recorded.
    client.force_login(two_departments["editor_a"])
    assert client.post(f"/admin/catalog/services/{mine.pk}/review/", {"decision": "resume"}).status_code == 200
    assert ServiceItem.objects.get(pk=mine.pk).needs_review  # no opinion: nothing changed
    # 单外无单: its only basis left the list, so it resumes only once it sits under a current permitted item.
    refused = client.post(f"/admin/catalog/services/{mine.pk}/review/", {"decision": "resume", "note": "恢复"})
    assert "现行负面清单版本的许可准入类事项" in refused.content.decode()
    assert ServiceItem.objects.get(pk=mine.pk).needs_review
    mine.list_items.add(new.items.get(code="200004"))
    client.post(f"/admin/catalog/services/{mine.pk}/review/", {"decision": "resume", "note": "已改依地方性法规"})
    mine.refresh_from_db()
    assert mine.status == ServiceItem.ACCEPTING and not mine.needs_review
    event = AuditEvent.objects.get(action="catalog.service_item_reviewed")
    assert event.note == "已改依地方性法规" and event.department_id == two_departments["dept_a"].pk
    # Not the other department's item.
    assert client.get(f"/admin/catalog/services/{theirs.pk}/review/").status_code == 404


def test_department_editor_sees_and_edits_only_own_service_items(client, two_departments):
    mine, theirs = two_departments["mine"], two_departments["theirs"]
    client.force_login(two_departments["editor_a"])
    listing = client.get("/admin/snippets/zhunru_catalog/serviceitem/").content.decode()
    assert "甲局事项" in listing and "乙局机密事项" not in listing
    edit_own = client.get(f"/admin/snippets/zhunru_catalog/serviceitem/edit/{mine.pk}/")
    assert edit_own.status_code == 200
    form = edit_own.context["form"]
    assert list(form.fields["department"].queryset) == [two_departments["dept_a"]]
    assert set(form.fields["list_items"].queryset) == set(ListItem.objects.public()) | set(mine.list_items.all())
    other = client.get(f"/admin/snippets/zhunru_catalog/serviceitem/edit/{theirs.pk}/")
    assert other.status_code == 404 and "乙局机密事项" not in other.content.decode()
    # Posting B's department is refused.
    data = {"department": two_departments["dept_b"].pk, "name": "甲局事项", "status": "accepting"}
    response = client.post(f"/admin/snippets/zhunru_catalog/serviceitem/edit/{mine.pk}/", data)
    assert ServiceItem.objects.get(pk=mine.pk).department == two_departments["dept_a"]
    assert response.status_code == 200 and response.context["form"].errors["department"]
    for url in (
        f"/admin/catalog/services/{theirs.pk}/documents/",
        f"/admin/catalog/screen/service/{theirs.pk}/",
        f"/admin/snippets/zhunru_catalog/serviceitem/delete/{theirs.pk}/",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "乙局机密事项" not in r.content.decode()


def test_follow_up_answer_is_recorded_and_scoped(client, two_departments):
    mine, theirs = two_departments["mine"], two_departments["theirs"]
    own = submit_rating(mine, 1, "hall", "窗口排队两小时").follow_up
    other = submit_rating(theirs, 2, "phone").follow_up
    client.force_login(two_departments["editor_a"])
    listing = client.get("/admin/snippets/zhunru_catalog/ratingfollowup/").content.decode()
    assert f"/edit/{own.pk}/" in listing and f"/edit/{other.pk}/" not in listing
    assert client.get(f"/admin/snippets/zhunru_catalog/ratingfollowup/edit/{other.pk}/").status_code == 404
    url = f"/admin/snippets/zhunru_catalog/ratingfollowup/edit/{own.pk}/"
    client.post(url, {"answer": ""})
    assert RatingFollowUp.objects.get(pk=own.pk).answered_at is None
    client.post(url, {"answer": "已增设自助取号机，高峰期增开窗口。"})
    own.refresh_from_db()
    assert own.answered_at is not None and own.answered_by == two_departments["editor_a"]
    event = AuditEvent.objects.get(action="catalog.follow_up_answered")
    assert event.department_id == two_departments["dept_a"].pk and "自助取号机" in str(event.changes)
    # Follow-ups are opened by ratings only and never deleted: Wagtail's refusal, a redirect with a message.
    for response in (
        client.get("/admin/snippets/zhunru_catalog/ratingfollowup/add/"),
        client.post(f"/admin/snippets/zhunru_catalog/ratingfollowup/delete/{own.pk}/"),
    ):
        assert_refused(response)
    assert RatingFollowUp.objects.filter(pk=own.pk).exists()


def test_document_versions_upload_publish_and_refuse_forged_files(client, two_departments):
    mine = two_departments["mine"]
    client.force_login(two_departments["editor_a"])
    url = f"/admin/catalog/services/{mine.pk}/documents/"
    forged = SimpleUploadedFile("指南.pdf", b"MZ\x90\x00 not a pdf at all" * 10)
    response = client.post(url, {"kind": "guide", "effective_date": "2025-06-01", "file": forged})
    assert response.status_code == 200 and "不是允许的类型" in response.content.decode()
    assert not mine.documents.exists()
    for version in (1, 2):
        pdf = SimpleUploadedFile(f"指南v{version}.pdf", text_pdf("办事指南", f"第{version}版"))
        client.post(url, {"kind": "guide", "effective_date": "2025-06-01", "change_note": f"v{version}",
                          "file": pdf, "publish": "on"})
    assert list(mine.documents.values_list("version", "published")) == [(2, True), (1, True)]
    v1 = mine.documents.get(version=1)
    client.post(url, {"toggle": v1.pk})
    assert not mine.documents.get(version=1).published
    assert AuditEvent.objects.filter(action="catalog.document_version_unpublished").exists()
    client.logout()
    assert client.get(v1.get_download_url()).status_code == 404
    assert client.get(mine.documents.get(version=2).get_download_url()).status_code == 200


@pytest.mark.parametrize(
    "body, expected",
    [
        ("<p>投标人须在本地注册分支机构，并向指定供应商采购。</p>", ["须在本地注册", "指定供应商"]),
        ("<p>各类经营主体依法平等进入清单之外的行业、领域、业务。</p>", []),
    ],
)
def test_screening_a_policy_page_highlights_matches(client, root, make_policy, body, expected):  # noqa: F811
    page = make_policy("关于招标的通知", body=body)
    client.force_login(root)
    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert f"/admin/catalog/screen/page/{page.pk}/" in edit
    response = client.get(f"/admin/catalog/screen/page/{page.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    screened = response.context["text"]
    assert screened.startswith("关于招标的通知\n") and "<p>" not in screened
    found = [screened[m.start : m.end] for m in response.context["matches"]]
    assert [f for f in found if f in expected] == expected  # overlapping matches ("本地注册") may add more
    for phrase in expected:
        assert f">{phrase}</mark>" in html
    if not expected:
        assert "<mark" not in html and "未发现匹配" in html


def test_free_text_screening_and_service_screening(client, root, two_departments):
    client.force_login(root)
    response = client.post("/admin/catalog/screen/", {"text": "仅限本市企业参与投标"})
    assert [m.rule.phrase for m in response.context["matches"]] == ["(仅|只)(限|允许)(本地|本市|本县|本区)"]
    mine = two_departments["mine"]
    mine.conditions = "申请人须具有本地业绩。"
    mine.save()
    response = client.get(f"/admin/catalog/screen/service/{mine.pk}/")
    assert ">本地业绩</mark>" in response.content.decode()


def test_rating_statistics_scoped_and_exported(client, two_departments):
    mine, theirs = two_departments["mine"], two_departments["theirs"]
    for level in (5, 4, 1):
        submit_rating(mine, level, "portal")
    submit_rating(theirs, 2, "portal")
    client.force_login(two_departments["editor_a"])
    response = client.get("/admin/catalog/ratings/statistics/")
    assert response.context["table"] == [["甲局", "甲局事项", 3, "3.33", 2, 1, 1]]
    exported = client.get("/admin/catalog/ratings/statistics/?format=csv").content.decode("utf-8-sig")
    assert "甲局事项" in exported and "乙局机密事项" not in exported
    assert AuditEvent.objects.filter(action="catalog.rating_statistics_exported").exists()


def test_department_editor_saves_own_service_item(client, two_departments):
    mine = two_departments["mine"]
    client.force_login(two_departments["editor_a"])
    url = f"/admin/snippets/zhunru_catalog/serviceitem/edit/{mine.pk}/"

    response = client.post(url, service_form_data(mine, materials="1. 申请书\n2. 营业执照", status="suspended"))

    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    mine.refresh_from_db()
    assert mine.materials == "1. 申请书\n2. 营业执照" and mine.status == ServiceItem.SUSPENDED and mine.published
    assert mine.department == two_departments["dept_a"]


def test_status_of_an_item_awaiting_review_changes_only_by_the_review_decision(client, two_departments):
    mine = two_departments["mine"]
    mine.flag("依据事项在2025年版中已删除", suspend=True)
    client.force_login(two_departments["editor_a"])
    url = f"/admin/snippets/zhunru_catalog/serviceitem/edit/{mine.pk}/"

    form = client.get(url).context["form"]
    assert form.fields["status"].disabled and "只能通过“复核”" in form.fields["status"].help_text

    # A forged or stale form that sets 受理中 is refused with the reason; nothing is saved.
    response = client.post(url, service_form_data(mine, status="accepting", materials="改过的要件"))
    assert response.status_code == 200
    assert "只能通过“复核”作出结论后改变" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == ServiceItem.SUSPENDED and mine.needs_review and mine.materials == ""

    # Other details can still be kept up to date (a browser does not post a disabled field).
    response = client.post(url, service_form_data(mine, status=None, materials="改过的要件"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ServiceItem.SUSPENDED and mine.needs_review and mine.materials == "改过的要件"

    # The review decision is the way back to 受理中.
    client.post(f"/admin/catalog/services/{mine.pk}/review/", {"decision": "resume", "note": "依据已由地方性法规替代"})
    mine.refresh_from_db()
    assert mine.status == ServiceItem.ACCEPTING and not mine.needs_review
    assert not client.get(url).context["form"].fields["status"].disabled


def test_an_editor_maintains_screening_rules_used_by_screening(client, make_user, make_department):
    from zhunru.catalog.models import ScreeningRule

    department = make_department("发改局")
    editor = make_user("rule_editor", groups=[roles.EDITOR], departments=[department])
    client.force_login(editor)
    add = "/admin/snippets/zhunru_catalog/screeningrule/add/"
    assert client.get(add).status_code == 200

    bad = client.post(add, {"phrase": "(本地", "is_regex": "on", "category": "discriminatory", "explanation": "x",
                            "jurisdiction": department.jurisdiction_id})
    assert bad.status_code == 200 and "正则表达式无效" in bad.content.decode()

    # An editor's rule is their jurisdiction's own (national rules are the superuser's: tests/catalog/
    # test_screening_rule_tenancy.py).
    response = client.post(add, {
        "jurisdiction": department.jurisdiction_id,
        "phrase": "须在本地纳税",
        "category": "discriminatory",
        "explanation": "以本地纳税作为条件，排斥外地经营主体。",
        "basis": "十一(三)：不得对外地企业进入本地设置准入壁垒",
        "enabled": "on",
    })
    assert response.status_code == 302
    rule = ScreeningRule.objects.get(phrase="须在本地纳税")

    screened = client.post("/admin/catalog/screen/", {"text": "投标人须在本地纳税满三年。"})
    assert [m.rule for m in screened.context["matches"]] == [rule]

    # Switched off by an editor, it no longer matches.
    edit = client.post(f"/admin/snippets/zhunru_catalog/screeningrule/edit/{rule.pk}/", {
        "jurisdiction": department.jurisdiction_id, "phrase": rule.phrase, "category": rule.category, "explanation": rule.explanation, "basis": rule.basis,
    })
    assert edit.status_code == 302
    assert client.post("/admin/catalog/screen/", {"text": "投标人须在本地纳税满三年。"}).context["matches"] == []
    assert_refused(client.post(f"/admin/snippets/zhunru_catalog/screeningrule/delete/{rule.pk}/"))
