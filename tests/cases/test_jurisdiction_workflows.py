"""Each jurisdiction's bulletins go through its own workflow, whose steps its own legal reviewers and
coordinators approve (issue 19 item 2): another jurisdiction's reviewer has no action on them."""

import pytest

from tests.conftest import create_user
from zhunru import roles
from zhunru.cases.workflow import APPROVAL_TASK_NAME, LEGAL_TASK_NAME, WORKFLOW_NAME, attach_workflow

pytestmark = pytest.mark.django_db


def _index(jurisdiction):
    from zhunru.cases.models import BulletinIndexPage

    home = jurisdiction.home_page
    index = BulletinIndexPage.objects.child_of(home).first()
    if index is None:  # created here: the post_save handler attaches the workflow, as in the admin
        index = BulletinIndexPage(title="典型案例通报", slug="bulletins-test")
        home.add_child(instance=index)
    return index


def test_each_provisioned_jurisdiction_has_its_own_workflow(demo):
    from wagtail.models import Page

    workflows = {}
    for jurisdiction in demo.values():
        index = Page.objects.get(pk=_index(jurisdiction).pk)
        workflow = index.get_workflow()
        assert workflow.name == f"{WORKFLOW_NAME}（{jurisdiction.name}）"
        tasks = [task.specific for task in workflow.tasks]
        assert [t.name for t in tasks] == [f"{LEGAL_TASK_NAME}（{jurisdiction.name}）",
                                           f"{APPROVAL_TASK_NAME}（{jurisdiction.name}）"]
        assert [list(t.groups.all()) for t in tasks] == [
            [roles.jurisdiction_group(jurisdiction, roles.LEGAL_REVIEWER)],
            [roles.jurisdiction_group(jurisdiction, roles.COORDINATOR)],
        ]
        workflows[jurisdiction.pk] = workflow.pk
    assert len(set(workflows.values())) == len(demo)

    # Provisioning again (after every migrate) keeps the same workflows and tasks.
    changjiang = demo["360202"]
    before = [t.pk for t in Page.objects.get(pk=_index(changjiang).pk).get_workflow().tasks]
    roles.provision_jurisdiction(changjiang)
    attach_workflow(_index(changjiang))
    after = Page.objects.get(pk=_index(changjiang).pk).get_workflow()
    assert after.pk == workflows[changjiang.pk] and [t.pk for t in after.tasks] == before


def test_a_foreign_legal_reviewer_cannot_act_on_the_bulletin(demo):
    """侯马市's legal reviewer has no action on 昌江区's legal-review step; 昌江区's own reviewer has."""
    from wagtail.models import Page

    changjiang, houma = demo["360202"], demo["141081"]
    here = create_user("legal-cj", groups=[roles.LEGAL_REVIEWER], departments=[changjiang.lead_department])
    there = create_user("legal-hm", groups=[roles.LEGAL_REVIEWER], departments=[houma.lead_department])
    coordinator_there = create_user("coord-hm", groups=[roles.COORDINATOR], departments=[houma.lead_department])
    task = Page.objects.get(pk=_index(changjiang).pk).get_workflow().tasks[0].specific
    page = _index(changjiang)
    assert task.user_can_access_editor(page, here) and task.get_actions(page, here)
    for outsider in (there, coordinator_there):
        assert not task.get_actions(page, outsider), outsider
        assert not task.user_can_access_editor(page, outsider), outsider
