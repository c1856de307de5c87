"""Mirror every other audit source into the chain: auditlog, Wagtail's log, logins, permission changes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save

from cms.audit.recording import record

_AUDITLOG_ACTIONS = {0: "model.create", 1: "model.update", 2: "model.delete", 3: "model.access"}


def mirror_auditlog_entry(sender, instance, created, **kwargs):
    if not created:
        return
    content_type = instance.content_type
    record(
        _AUDITLOG_ACTIONS.get(instance.action, f"model.{instance.action}"),
        actor=instance.actor,
        ip=instance.remote_addr,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_pk or ""),
        object_repr=instance.object_repr or "",
        changes=instance.changes if isinstance(instance.changes, dict) else {},
    )


def mirror_wagtail_log_entry(sender, instance, created, **kwargs):
    if not created:
        return
    content_type = instance.content_type
    record(
        f"wagtail.{instance.action}",
        actor=instance.user,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(getattr(instance, "object_id", "") or getattr(instance, "page_id", "") or ""),
        object_repr=instance.label or "",
        changes=instance.data if isinstance(instance.data, dict) else {},
    )


def on_login(sender, request, user, **kwargs):
    record("auth.login", actor=user, request=request, obj=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", actor=user, request=request, obj=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username: the password never reaches the log.
    username = str(credentials.get("username", ""))[:150]
    record("auth.login_failed", request=request, object_type="auth.user", object_repr=username, note="登录失败")


def on_permission_change(sender, instance, action, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or [])) if pk_set else []
    record(
        "auth.permission_change",
        obj=instance,
        changes={"action": action.removeprefix("post_"), "relation": model._meta.label_lower, "items": names},
    )


def connect() -> None:
    from auditlog.models import LogEntry
    from wagtail.models import ModelLogEntry, PageLogEntry

    post_save.connect(mirror_auditlog_entry, sender=LogEntry, dispatch_uid="zhunru_audit_auditlog")
    post_save.connect(mirror_wagtail_log_entry, sender=PageLogEntry, dispatch_uid="zhunru_audit_pagelog")
    post_save.connect(mirror_wagtail_log_entry, sender=ModelLogEntry, dispatch_uid="zhunru_audit_modellog")
    user_logged_in.connect(on_login, dispatch_uid="zhunru_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="zhunru_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="zhunru_audit_login_failed")
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(on_permission_change, sender=through, dispatch_uid=f"zhunru_audit_m2m_{through.__name__}")
