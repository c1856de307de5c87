"""The bulletin publishing workflow: legal review (司法审核), then the coordinator's approval (section 八(一))."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from zhunru import roles

WORKFLOW_NAME = "典型案例通报发布流程"
LEGAL_TASK_NAME = "司法审核：合法性与合规性审查"
APPROVAL_TASK_NAME = "发改委协调员审批发布"


def _group_task(name: str, group, task=None):
    """``task`` (or a new GroupApprovalTask) named ``name``, active, approved by ``group`` alone."""
    from wagtail.models import GroupApprovalTask

    if task is None:
        task = GroupApprovalTask.objects.create(name=name)
    changed = [field for field, value in (("name", name), ("active", True)) if getattr(task, field) != value]
    for field in changed:
        setattr(task, field, name if field == "name" else True)
    if changed:
        task.save(update_fields=changed)
    task.groups.set([group])
    return task


def _workflow(name: str, legal, approval):
    """The workflow ``name`` whose steps are ``legal`` then ``approval`` (the one already starting with
    ``legal`` when there is one, renamed if need be)."""
    from wagtail.models import Workflow, WorkflowTask

    workflow = Workflow.objects.filter(workflow_tasks__task=legal).order_by("pk").first()
    if workflow is None:
        workflow = Workflow.objects.filter(name=name).order_by("pk").first() or Workflow.objects.create(name=name)
    changed = [field for field, value in (("name", name), ("active", True)) if getattr(workflow, field) != value]
    for field in changed:
        setattr(workflow, field, name if field == "name" else True)
    if changed:
        workflow.save(update_fields=changed)
    for order, task in enumerate([legal, approval]):
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    WorkflowTask.objects.filter(workflow=workflow).exclude(task__in=[legal, approval]).delete()
    return workflow


@transaction.atomic
def ensure_bulletin_workflow(jurisdiction=None):
    """Create the workflow and its two tasks, in order; running it again changes nothing.

    With a jurisdiction: that jurisdiction's own workflow, whose steps are approved by its own legal reviewers'
    and coordinators' groups ("侯马市·司法审核", "侯马市·发改委协调员"), so no other jurisdiction's reviewer can
    act on its bulletins. Without one: the installation-wide workflow of the global role groups, for
    jurisdictions not provisioned yet."""
    from wagtail.models import GroupApprovalTask

    if jurisdiction is None:
        legal_group, _ = Group.objects.get_or_create(name=roles.LEGAL_REVIEWER)
        approval_group, _ = Group.objects.get_or_create(name=roles.COORDINATOR)
        names = (LEGAL_TASK_NAME, APPROVAL_TASK_NAME, WORKFLOW_NAME)
    else:
        legal_group = roles.jurisdiction_group(jurisdiction, roles.LEGAL_REVIEWER)
        approval_group = roles.jurisdiction_group(jurisdiction, roles.COORDINATOR)
        names = tuple(f"{name}（{jurisdiction.name}）" for name in (LEGAL_TASK_NAME, APPROVAL_TASK_NAME, WORKFLOW_NAME))

    def existing(name, group):
        """The task of this step: by name for the global groups, by its group for a jurisdiction's (which
        keeps it when the jurisdiction is renamed)."""
        tasks = GroupApprovalTask.objects.order_by("pk")
        if jurisdiction is None:
            return tasks.filter(name=name).first()
        return tasks.filter(groups=group, name__startswith=name.split("（")[0]).first()

    legal = _group_task(names[0], legal_group, existing(names[0], legal_group))
    approval = _group_task(names[1], approval_group, existing(names[1], approval_group))
    return _workflow(names[2], legal, approval)


def index_jurisdiction(index_page):
    """The provisioned jurisdiction whose portal home holds ``index_page`` (None when it has no per-jurisdiction
    groups yet: its bulletins then go through the installation-wide workflow)."""
    from zhunru.models import JurisdictionGroup, JurisdictionHomePage

    home = JurisdictionHomePage.objects.ancestor_of(index_page, inclusive=True).select_related("jurisdiction").first()
    if home is None or not JurisdictionGroup.objects.filter(jurisdiction_id=home.jurisdiction_id).exists():
        return None
    return home.jurisdiction


def attach_workflow(index_page) -> None:
    """Make every bulletin under ``index_page`` go through its jurisdiction's workflow."""
    from wagtail.models import WorkflowPage

    workflow = ensure_bulletin_workflow(index_jurisdiction(index_page))
    WorkflowPage.objects.update_or_create(page_id=index_page.pk, defaults={"workflow": workflow})


def attach_to_all_indexes() -> int:
    from zhunru.cases.models import BulletinIndexPage

    count = 0
    for index_page in BulletinIndexPage.objects.all():
        attach_workflow(index_page)
        count += 1
    return count


def role_groups(role: str):
    """The groups of ``role``: the global one and every jurisdiction's ("侯马市·司法审核")."""
    from django.db.models import Q

    return Group.objects.filter(Q(name=role) | Q(zhunru_jurisdiction_role__role=role))


def legal_review_approved(page) -> bool:
    """True while the page's latest workflow has just been approved, including the legal review step.

    Publishing is then allowed for the workflow's own final step only: an edit made after the
    approval (a newer revision) needs a new pass through the workflow.
    """
    from wagtail.models import TaskState, WorkflowState

    state = WorkflowState.objects.for_instance(page).order_by("-created_at", "-id").first()
    if state is None or state.status != WorkflowState.STATUS_APPROVED:
        return False
    approved = TaskState.objects.filter(workflow_state=state, status=TaskState.STATUS_APPROVED)
    if not approved.filter(task__groupapprovaltask__groups__in=role_groups(roles.LEGAL_REVIEWER)).exists():
        return False
    finished = approved.aggregate(last=Max("finished_at"))["last"]
    latest = page.get_latest_revision()
    return latest is None or finished is None or latest.created_at <= finished


def notify_legal_reviewers(sender, instance, user=None, **kwargs) -> None:
    """Receiver of Wagtail's ``task_submitted``: a bulletin sent for legal review tells the legal reviewers
    of its own jurisdiction (DOMAIN.md, "Who must be told"), in the submission's transaction."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from zhunru.cases import integrations
    from zhunru.cases.models import BulletinPage
    from zhunru.models import JurisdictionHomePage

    task = instance.task.specific
    if not getattr(task, "groups", None) or not task.groups.filter(
            pk__in=role_groups(roles.LEGAL_REVIEWER).values("pk")).exists():
        return
    page = instance.workflow_state.content_object
    page = getattr(page, "specific", page)
    if not isinstance(page, BulletinPage):
        return
    home = JurisdictionHomePage.objects.ancestor_of(page).first()
    if home is None:
        return
    reviewers = list(get_user_model().objects.filter(
        is_active=True, groups__name=roles.LEGAL_REVIEWER,
        department_memberships__department__jurisdiction_id=home.jurisdiction_id).distinct().order_by("pk"))
    reviewers = [u for u in reviewers if user is None or u.pk != user.pk]
    integrations.notify(
        reviewers, gettext("典型案例通报待司法审核：{value}").format(value=page.title[:40]),
        gettext("通报“{title}”（{document_number}）已提交司法审核，请审查其合法性与合规性后审批。").format(title=page.title, document_number=page.document_number),
        obj=page, key=f"bulletin:{page.pk}:legal-review:{instance.pk}",
        url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
    )


def task_reviewers(page, task) -> list:
    """Who may act on ``task`` for ``page``: active members of the task's groups in the page's jurisdiction."""
    from django.contrib.auth import get_user_model

    from zhunru.models import JurisdictionHomePage

    home = JurisdictionHomePage.objects.ancestor_of(page, inclusive=True).first()
    groups = getattr(task.specific, "groups", None)
    if home is None or groups is None:
        return []
    return list(get_user_model().objects.filter(
        is_active=True, groups__in=groups.all(),
        department_memberships__department__jurisdiction_id=home.jurisdiction_id).distinct().order_by("pk"))


def review_status_text(page) -> str:
    """"当前环节“司法审核：…”，由 区司法局 changjiang-legal 审查" for a page in its workflow, else ""."""
    state = page.current_workflow_state
    task = state.current_task_state.task if state and state.current_task_state else None
    if task is None:
        return ""
    people = "、".join(user.get_full_name() or user.get_username() for user in task_reviewers(page, task))
    groups = "、".join(task.specific.groups.values_list("name", flat=True)) if hasattr(task.specific, "groups") else ""
    return gettext("当前环节“{name}”，由{groups}{value}审查").format(name=task.name, groups=groups, value='（' + people + '）' if people else '')
