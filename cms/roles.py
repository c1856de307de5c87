"""User roles as Wagtail groups, and the permissions each implies (DOMAIN.md, "Who uses it").

Each app adds the permissions its models need with ``grant(role, [...])`` in its
AppConfig.ready(); ``sync_roles`` (run after every migrate) makes the groups match.
"""

from collections import defaultdict

EDITOR = "编辑"
LEGAL_REVIEWER = "司法审核"
COORDINATOR = "发改委协调员"
DEPARTMENT_OFFICER = "部门经办人"
EXTENSION_APPROVER = "延期审批（上级发改委）"
AUDITOR = "审计员"

ROLES = [EDITOR, LEGAL_REVIEWER, COORDINATOR, DEPARTMENT_OFFICER, EXTENSION_APPROVER, AUDITOR]

_GRANTS: dict[str, set[str]] = defaultdict(set)


def grant(role: str, permissions: list[str]) -> None:
    """Declare that ``role`` holds ``permissions`` ("app_label.codename")."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    _GRANTS[role].update(permissions)


# Everyone who works in the admin needs to reach it.
for _role in ROLES:
    grant(_role, ["wagtailadmin.access_admin"])
grant(EDITOR, ["wagtaildocs.add_document", "wagtaildocs.change_document", "wagtailimages.add_image"])
grant(
    COORDINATOR,
    [
        "zhunru_cms.view_jurisdiction",
        "zhunru_cms.view_department",
        "zhunru_cms.add_department",
        "zhunru_cms.change_department",
        "zhunru_cms.view_departmentmembership",
        "zhunru_cms.add_departmentmembership",
        "zhunru_cms.change_departmentmembership",
        "zhunru_cms.delete_departmentmembership",
    ],
)
grant(AUDITOR, ["zhunru_cms.view_jurisdiction", "zhunru_cms.view_department", "zhunru_audit.view_auditevent"])
grant(COORDINATOR, ["zhunru_audit.view_auditevent"])


def sync_roles() -> dict[str, int]:
    """Create the role groups and give each exactly the declared permissions that exist."""
    from django.contrib.auth.models import Group, Permission

    counts = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in sorted(_GRANTS[role]):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def sync_roles_after_migrate(sender, **kwargs) -> None:
    if getattr(sender, "label", "") == "zhunru_cms":
        from django.contrib.contenttypes.models import ContentType

        # After a flush (transactional tests) the content types were re-created with new ids; creating a
        # group writes a django-auditlog entry naming its content type, which must not come from the cache.
        ContentType.objects.clear_cache()
        sync_roles()


def page_permissions_for_editors(root_page) -> None:
    """Give editors and reviewers page permissions under a jurisdiction's home page."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    wanted = {
        EDITOR: ["add_page", "change_page", "publish_page"],
        COORDINATOR: ["add_page", "change_page", "publish_page"],
        LEGAL_REVIEWER: ["change_page"],
    }
    for role, codenames in wanted.items():
        group = Group.objects.get(name=role)
        for codename in codenames:
            perm = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=perm)
