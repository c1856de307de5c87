"""发布 on a bulletin that needs legal review sends it for review and says so and to whom, never a silent draft."""

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from zhunru import roles
from zhunru.cases.workflow import LEGAL_TASK_NAME, WORKFLOW_NAME

pytestmark = pytest.mark.django_db


def form_for(page, action: str) -> dict:
    link = page.bulletin_cases.get()
    return nested_form_data({
        "title": page.title, "slug": page.slug, "document_number": page.document_number,
        "issuing_office": page.issuing_office, "issue_date": "2026-03-01",
        "intro": rich_text("<p>现将典型案例通报如下。</p>"), "closing": rich_text(""),
        "bulletin_cases": inline_formset(
            [{"id": link.pk, "case": link.case_id, "commentary": link.commentary, "ORDER": 1}], initial=1, min=1),
        "comments": inline_formset([]),
        action: "1",
    })


def messages_of(response) -> list[str]:
    return [m.message for m in response.context["messages"]]


def test_publish_submits_to_the_workflow_and_names_the_reviewers(client, make_bulletin, editor, make_user,
                                                                 lead_department):
    local_legal = make_user("legal-here", groups=[roles.LEGAL_REVIEWER], departments=[lead_department])
    page = make_bulletin(user=editor)
    client.force_login(editor)
    response = client.post(f"/admin/pages/{page.pk}/edit/", form_for(page, "action-publish"), follow=True)
    assert response.status_code == 200
    page.refresh_from_db()
    assert not Page.objects.get(pk=page.pk).live
    assert page.workflow_in_progress and page.current_workflow_task.name == LEGAL_TASK_NAME
    text = " ".join(messages_of(response))
    assert f"已提交“{WORKFLOW_NAME}”" in text and "未直接发布" in text
    assert LEGAL_TASK_NAME in text and local_legal.username in text and roles.LEGAL_REVIEWER in text

