"""django-auditlog registration shared by every Zhunru app."""

from collections.abc import Iterable

from django.apps import AppConfig


def register_app_models(app_config: AppConfig, exclude: Iterable[str] = ()) -> None:
    """Register every concrete model of an app with django-auditlog (create/update/delete, actor, IP)."""
    from auditlog.registry import auditlog

    skipped = set(exclude)
    for model in app_config.get_models():
        if model._meta.abstract or model._meta.proxy or model.__name__ in skipped:
            continue
        if not auditlog.contains(model):
            auditlog.register(model)


def register_auth_models() -> None:
    """Register users and groups, so a change of is_superuser, is_staff, is_active or a group's name has a
    field diff in the chain (group and permission memberships are recorded as ``auth.permission_change``).

    The password hash and last_login are left out: the first must never reach the log, the second changes
    at every login, which the chain records as ``auth.login`` already.
    """
    from auditlog.registry import auditlog
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    if not auditlog.contains(User):
        auditlog.register(User, exclude_fields=["password", "last_login"])
    if not auditlog.contains(Group):
        auditlog.register(Group)
