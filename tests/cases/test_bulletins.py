import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.test.utils import WagtailPageTestCase

from zhunru.cases.models import BulletinCase, BulletinIndexPage, BulletinPage
from zhunru.cases.workflow import LEGAL_TASK_NAME, WORKFLOW_NAME, ensure_bulletin_workflow
from zhunru.models import JurisdictionHomePage


def act(page, user, action, comment=""):
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, user, action, comment=comment)


class BulletinPageTreeTests(WagtailPageTestCase):
    def test_bulletins_live_under_an_index_under_a_jurisdiction_home(self):
        self.assertCanCreateAt(JurisdictionHomePage, BulletinIndexPage)
        self.assertCanCreateAt(BulletinIndexPage, BulletinPage)
        self.assertCanNotCreateAt(JurisdictionHomePage, BulletinPage)
        self.assertAllowedParentPageTypes(BulletinPage, {BulletinIndexPage})


@pytest.mark.django_db
def test_workflow_is_created_idempotently_and_attached(bulletin_index):
    first = ensure_bulletin_workflow()
    second = ensure_bulletin_workflow()
    assert first.pk == second.pk
    assert [t.name for t in first.tasks] == [LEGAL_TASK_NAME, "发改委协调员审批发布"]
    assert Page.objects.get(pk=bulletin_index.pk).get_workflow().name == WORKFLOW_NAME


@pytest.mark.django_db
def test_publication_needs_legal_approval_then_coordinator(make_bulletin, editor, legal_reviewer, coordinator):
    page = make_bulletin(user=editor)
    # The coordinator may publish pages elsewhere, but not a bulletin that skipped the workflow.
    assert not page.permissions_for_user(coordinator).can_publish()
    with pytest.raises(PermissionDenied):
        page.get_latest_revision().publish(user=coordinator)

    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    # Step 1 belongs to the legal reviewers: the coordinator has no action on it.
    assert page.current_workflow_task.name == LEGAL_TASK_NAME
    assert page.current_workflow_task.specific.get_actions(page, coordinator) == []
    assert not page.permissions_for_user(coordinator).can_publish()

    act(page, legal_reviewer, "approve")
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_task.name == "发改委协调员审批发布"
    assert page.current_workflow_task.specific.get_actions(page, legal_reviewer) == []

    act(page, coordinator, "approve")
    page.refresh_from_db()
    assert page.live

    # An edit after approval needs a new pass through the workflow.
    page.title = "改过的标题"
    page.save_revision(user=editor)
    assert not page.permissions_for_user(coordinator).can_publish()


@pytest.mark.django_db
def test_legal_rejection_returns_bulletin_with_comment(make_bulletin, editor, legal_reviewer):
    page = make_bulletin(user=editor)
    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    act(page, legal_reviewer, "reject", comment="第一个案例的违规定性依据不足，请补充政策依据。")
    page.refresh_from_db()
    assert not page.live
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = TaskState.objects.get(workflow_state=state, status=TaskState.STATUS_REJECTED)
    assert rejected.comment == "第一个案例的违规定性依据不足，请补充政策依据。"
    assert rejected.finished_by == legal_reviewer


@pytest.mark.django_db
def test_admin_publish_button_does_not_bypass_workflow(client, make_bulletin, editor, coordinator):
    page = make_bulletin(user=editor)
    client.force_login(coordinator)
    url = f"/admin/pages/{page.pk}/edit/"
    assert client.get(url).status_code == 200
    client.post(url, {"action-publish": "1", "title": page.title, "slug": page.slug})
    assert not Page.objects.get(pk=page.pk).live


@pytest.mark.django_db
def test_only_registered_cases_can_be_presented(make_case):
    reported = make_case()
    with pytest.raises(ValidationError):
        BulletinCase(case=reported).clean()


@pytest.mark.django_db
def test_public_output_shows_only_public_fields(client, make_bulletin, make_case, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    published = make_case("公开的案例")
    published.register()
    published.add_attachment(SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%%EOF\n"))
    unpublished = make_case("尚未通报的案例")
    unpublished.register()
    page = make_bulletin([published])
    page.get_latest_revision().publish()  # the loader's path; the admin path is tested above
    page.refresh_from_db()

    html = client.get(page.url).content.decode()
    assert "公开的案例" in html and page.document_number in html
    for private in ("13800000000", "张某", "内部：", "材料.pdf", "尚未通报的案例"):
        assert private not in html

    detail = client.get(f"/api/v2/pages/{page.pk}/").json()
    assert detail["document_number"] == "测发改〔2026〕1号"
    [case] = detail["public_cases"]
    assert case["title"] == "公开的案例" and case["register_number"] == published.register_number
    for key in ("source_person", "source_contact", "internal_notes", "attachments", "source", "reporting_department"):
        assert key not in case

    listing = client.get("/api/v1/cases/").json()
    assert [c["title"] for c in listing["items"]] == ["公开的案例"]
    assert "internal_notes" not in listing["items"][0]
    assert client.get(f"/api/v1/cases/{unpublished.pk}").status_code == 404
    assert client.get(f"/api/v1/cases/{published.pk}").json()["bulletins"] == ["测发改〔2026〕1号"]
    bulletins = client.get("/api/v1/cases/bulletins/").json()
    assert bulletins[0]["pdf_url"].endswith("pdf/")

    pdf = client.get(page.url + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_setup_command_is_idempotent(bulletin_index):
    from django.core.management import call_command
    from wagtail.models import Workflow, WorkflowPage

    call_command("setup_bulletin_workflow")
    call_command("setup_bulletin_workflow")
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1
    assert WorkflowPage.objects.get(page_id=bulletin_index.pk).workflow.name == WORKFLOW_NAME


@pytest.mark.django_db
def test_case_chooser_offers_registered_cases_only(client, make_case, editor):
    registered = make_case("已登记的案例")
    registered.register()
    make_case("仅报送的案例")
    client.force_login(editor)
    html = client.get("/admin/snippets/choose/zhunru_cases/case/").json()["html"]
    assert "已登记的案例" in html and "仅报送的案例" not in html


@pytest.mark.django_db
def test_admin_round_trip_submit_review_approve(client, make_bulletin, editor, legal_reviewer, coordinator):
    """Through the admin screens: the editor submits, the legal reviewer requests changes with a comment,
    the editor resubmits, both steps approve, the bulletin goes live."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    page = make_bulletin(user=editor)
    link = page.bulletin_cases.get()
    form = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "document_number": page.document_number,
            "issuing_office": page.issuing_office,
            "issue_date": "2026-03-01",
            "intro": rich_text("<p>现将典型案例通报如下。</p>"),
            "closing": rich_text(""),
            "bulletin_cases": inline_formset(
                [{"id": link.pk, "case": link.case_id, "commentary": link.commentary, "ORDER": 1}], initial=1, min=1
            ),
            "comments": inline_formset([]),
            "action-submit": "1",
        }
    )
    edit_url = f"/admin/pages/{page.pk}/edit/"
    client.force_login(editor)
    assert client.post(edit_url, form).status_code == 302
    page.refresh_from_db()
    assert page.workflow_in_progress and page.current_workflow_task.name == LEGAL_TASK_NAME

    def workflow_action(user, action, comment=""):
        client.force_login(user)
        state = page.current_workflow_state.current_task_state
        url = f"/admin/pages/workflow/action/{page.pk}/{action}/{state.pk}/"
        return client.post(url, {"comment": comment})

    workflow_action(coordinator, "approve")  # not the coordinator's step: refused, nothing moves
    page.refresh_from_db()
    assert page.current_workflow_task.name == LEGAL_TASK_NAME

    workflow_action(legal_reviewer, "reject", "请补充违规定性的法律依据。")
    page.refresh_from_db()
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    client.force_login(editor)
    assert "请补充违规定性的法律依据。" in client.get(edit_url).content.decode()

    assert client.post(edit_url, {**form, "action-submit": "1"}).status_code == 302  # resubmit
    page.refresh_from_db()
    workflow_action(legal_reviewer, "approve")
    page.refresh_from_db()
    workflow_action(coordinator, "approve")
    page.refresh_from_db()
    assert page.live
