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


_HELD = "_zhunru_roles_held"


def held(user) -> frozenset[str]:
    """The roles ``user`` holds (their role groups), read once per user object: a request asks several times
    (scoping, menus, read-only checks), as Django caches permissions on the user object. Changing the user's
    groups through ``user.groups`` forgets it; another process's change shows on the next request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = user.__dict__.get(_HELD)
    if roles is None:
        roles = user.__dict__[_HELD] = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    return roles


def has_role(user, role: str) -> bool:
    """Whether ``user`` holds ``role`` (a member of its group, or a superuser)."""
    return user.is_superuser or role in held(user)


def sync_roles() -> dict[str, int]:
    """Create the role groups and give each exactly the declared permissions that exist.

    Cheap when nothing changed (it runs after every migrate and every flush of a transactional test): one
    query for the declared permissions, one for the groups, one for what they hold; writes only a change."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    declared = {dotted for role in ROLES for dotted in _GRANTS[role]}
    wanted_by_label = Q(pk__in=[])
    for dotted in declared:
        app_label, codename = dotted.split(".", 1)
        wanted_by_label |= Q(content_type__app_label=app_label, codename=codename)
    perm_ids = {f"{app_label}.{codename}": pk for pk, app_label, codename in
                Permission.objects.filter(wanted_by_label).values_list("pk", "content_type__app_label", "codename")}
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    held: dict[int, set[int]] = defaultdict(set)
    through = Group.permissions.through
    for group_id, permission_id in through.objects.filter(group__name__in=ROLES).values_list(
            "group_id", "permission_id"):
        held[group_id].add(permission_id)
    counts = {}
    for role in ROLES:
        group = groups.get(role)
        if group is None:
            group, _ = Group.objects.get_or_create(name=role)
        wanted = {perm_ids[dotted] for dotted in _GRANTS[role] if dotted in perm_ids}
        if held[group.pk] != wanted:
            group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def _last_app_with_models() -> str:
    from django.apps import apps

    labels = [a.label for a in apps.get_app_configs() if a.models_module is not None]
    return labels[-1] if labels else ""


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # After the last app's post_migrate, not the core app's: Django creates each app's permissions in that app's
    # own post_migrate, so at zhunru_cms's those of the apps after it (catalog, credit, ...) did not exist yet and
    # a fresh database got role groups without them.
    if getattr(sender, "label", "") == _last_app_with_models():
        from django.contrib.contenttypes.models import ContentType

        # After a flush (transactional tests) the content types were re-created with new ids; creating a
        # group writes a django-auditlog entry naming its content type, which must not come from the cache.
        ContentType.objects.clear_cache()
        sync_roles()
        provision_all()


def provision_all() -> int:
    """Provision every jurisdiction (after migrate: existing installations get their per-jurisdiction page
    and collection permissions); nothing when the table is not there (migrated back)."""
    from django.db import connection

    from zhunru.models import Jurisdiction, JurisdictionGroup

    if JurisdictionGroup._meta.db_table not in connection.introspection.table_names():
        return 0
    count = 0
    for jurisdiction in Jurisdiction.objects.all():
        provision_jurisdiction(jurisdiction)
        count += 1
    return count


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


# Page permissions of each role on its jurisdiction's home page (and everything below it).
PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page", "publish_page"],
    COORDINATOR: ["add_page", "change_page", "publish_page"],
    LEGAL_REVIEWER: ["change_page"],
}
# Collection permissions of each role on its jurisdiction's image and document collection.
COLLECTION_PERMISSIONS = {
    EDITOR: [("wagtailimages", "add_image"), ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
             ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document")],
    COORDINATOR: [("wagtailimages", "add_image"), ("wagtailimages", "change_image"),
                  ("wagtailimages", "choose_image"), ("wagtaildocs", "add_document"),
                  ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document")],
    LEGAL_REVIEWER: [("wagtailimages", "choose_image"), ("wagtaildocs", "choose_document")],
}


def jurisdiction_group_name(jurisdiction, role: str) -> str:
    return f"{jurisdiction.name}·{role}"


def jurisdiction_group(jurisdiction, role: str):
    """The per-jurisdiction group of ``role`` (created when missing)."""
    from django.contrib.auth.models import Group

    from zhunru.models import JurisdictionGroup

    link = JurisdictionGroup.objects.filter(jurisdiction=jurisdiction, role=role).select_related("group").first()
    if link is not None:
        return link.group
    group, _ = Group.objects.get_or_create(name=jurisdiction_group_name(jurisdiction, role))
    JurisdictionGroup.objects.create(group=group, jurisdiction=jurisdiction, role=role)
    return group


def jurisdiction_collection(jurisdiction):
    """The jurisdiction's image and document collection, a child of the root collection named after it."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has no root collection
        root = Collection.add_root(name="Root")
    found = root.get_children().filter(name=jurisdiction.name).first()
    if found is not None:
        return found
    return root.add_child(name=jurisdiction.name)


def sync_user_groups(user, jurisdictions=None, add: bool = True) -> None:
    """Put ``user`` in the per-jurisdiction groups matching their global role groups, for each jurisdiction of
    their department memberships, and take them out of the ones that no longer match (within
    ``jurisdictions`` when given)."""
    from zhunru.models import JurisdictionGroup

    global_roles = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    member_of = set(user.department_memberships.values_list("department__jurisdiction_id", flat=True))
    links = JurisdictionGroup.objects.all()
    if jurisdictions is not None:
        links = links.filter(jurisdiction__in=jurisdictions)
    held = set(user.groups.values_list("pk", flat=True))
    wanted, unwanted = [], []
    for link in links:
        if link.role in global_roles and link.jurisdiction_id in member_of:
            if link.group_id not in held:
                wanted.append(link.group_id)
        elif link.group_id in held:
            unwanted.append(link.group_id)
    if wanted and add:
        user.groups.add(*wanted)
    if unwanted:
        user.groups.remove(*unwanted)


def provision_jurisdiction(jurisdiction) -> dict:
    """Set up one jurisdiction's roles; safe to run repeatedly.

    Creates its per-jurisdiction role groups ("<辖区>·<角色>"), gives them page permissions on the
    jurisdiction's home page and collection permissions on its collection (taking the global role groups'
    page permissions off that home page, which would let every jurisdiction's editors edit it), attaches the
    bulletin workflow to its bulletin sections, and puts the jurisdiction's existing users in its groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    from zhunru.models import JurisdictionHomePage

    groups = {role: jurisdiction_group(jurisdiction, role) for role in ROLES}
    home = JurisdictionHomePage.objects.filter(jurisdiction=jurisdiction).first()
    if home is not None:
        for role, codenames in PAGE_PERMISSIONS.items():
            for codename in codenames:
                perm = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                GroupPagePermission.objects.get_or_create(group=groups[role], page=home, permission=perm)
        GroupPagePermission.objects.filter(page=home, group__name__in=ROLES).delete()
    collection = jurisdiction_collection(jurisdiction)
    for role, perms in COLLECTION_PERMISSIONS.items():
        for app_label, codename in perms:
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[role], collection=collection, permission=perm)
    bulletin_indexes = 0
    if home is not None:
        from django.db import connection

        from zhunru.cases.models import BulletinIndexPage
        from zhunru.cases.workflow import attach_workflow

        # After `migrate zhunru_cases zero` (post_migrate still runs) the bulletin tables are gone.
        present = BulletinIndexPage._meta.db_table in connection.introspection.table_names()
        for index_page in BulletinIndexPage.objects.descendant_of(home) if present else []:
            attach_workflow(index_page)
            bulletin_indexes += 1
    User = get_user_model()
    users = User.objects.filter(department_memberships__department__jurisdiction=jurisdiction).distinct()
    for user in users:
        sync_user_groups(user, [jurisdiction])
    return {"groups": len(groups), "home": home, "collection": collection, "bulletin_indexes": bulletin_indexes}


def _membership_changed(sender, instance, **kwargs) -> None:
    from django.contrib.auth import get_user_model

    if kwargs.get("raw"):
        return
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is not None:
        # On delete only take groups away: the user may be being deleted, their group rows already gone.
        sync_user_groups(user, add="created" in kwargs)


def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A user joined or left a global role group: their per-jurisdiction groups follow."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    instance.__dict__.pop(_HELD, None)
    if reverse:  # group.user_set changed
        if isinstance(instance, Group) and instance.name in ROLES:
            for user in get_user_model().objects.filter(pk__in=pk_set or []):
                sync_user_groups(user)
        return
    if action == "post_clear" or Group.objects.filter(pk__in=pk_set or [], name__in=ROLES).exists():
        sync_user_groups(instance)


def connect_membership_signals() -> None:
    """Keep per-jurisdiction group memberships in step with global roles and department memberships."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from zhunru.models import DepartmentMembership

    post_save.connect(_membership_changed, sender=DepartmentMembership, dispatch_uid="zhunru_roles_membership_save")
    post_delete.connect(_membership_changed, sender=DepartmentMembership, dispatch_uid="zhunru_roles_membership_del")
    m2m_changed.connect(_user_groups_changed, sender=get_user_model().groups.through,
                        dispatch_uid="zhunru_roles_user_groups")
