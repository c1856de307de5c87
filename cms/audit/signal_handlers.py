"""Mirror every other audit source into the chain: auditlog, Wagtail's log, logins, permission changes."""

import logging
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext as _

from zhunru.audit.departments import department_id_of, load_object
from zhunru.audit.jurisdictions import jurisdiction_id_of
from zhunru.audit.middleware import request_actor_and_ip
from zhunru.audit.recording import record

logger = logging.getLogger(__name__)

_AUDITLOG_ACTIONS = {0: "model.create", 1: "model.update", 2: "model.delete", 3: "model.access"}

# The instance django-auditlog is logging, between its pre_log signal and the LogEntry's post_save:
# for a deletion it is the only place the object still is.
_logging: ContextVar[tuple | None] = ContextVar("zhunru_audit_logging", default=None)


def remember_logged_instance(sender, instance, **kwargs):
    _logging.set((instance._meta.label_lower, str(instance.pk), instance))


def forget_logged_instance(sender, **kwargs):
    _logging.set(None)


def _attribution(content_type, object_pk, *, remembered: bool = False) -> tuple[int | None, int | None]:
    """The logged object's department and jurisdiction ids.

    Best effort: a failure here must not fail the change being recorded, only its attribution."""
    try:
        obj = None
        held = _logging.get() if remembered else None
        if held is not None and content_type is not None:
            label, pk, instance = held
            if label == f"{content_type.app_label}.{content_type.model}" and pk == str(object_pk):
                obj = instance
        obj = obj if obj is not None else load_object(content_type, object_pk)
        department_id = department_id_of(obj)
        return department_id, jurisdiction_id_of(obj, department_id=department_id)
    except Exception:
        logger.exception("audit: could not find the department of %s #%s", content_type, object_pk)
        return None, None


def mirror_auditlog_entry(sender, instance, created, raw=False, **kwargs):
    if not created or raw:  # raw: loaded from a fixture or backup, already mirrored where it came from
        return
    content_type = instance.content_type
    department_id, jurisdiction_id = _attribution(content_type, instance.object_pk, remembered=True)
    record(
        _AUDITLOG_ACTIONS.get(instance.action, f"model.{instance.action}"),
        actor=instance.actor,
        ip=instance.remote_addr,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_pk or ""),
        object_repr=instance.object_repr or "",
        department_id=department_id,
        jurisdiction_id=jurisdiction_id,
        changes=instance.changes if isinstance(instance.changes, dict) else {},
        logentry_id=instance.pk,
    )


def mirror_wagtail_log_entry(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    content_type = instance.content_type
    object_id = str(getattr(instance, "object_id", "") or getattr(instance, "page_id", "") or "")
    request_actor, ip = request_actor_and_ip()
    department_id, jurisdiction_id = _attribution(content_type, object_id)
    record(
        f"wagtail.{instance.action}",
        actor=instance.user or request_actor,
        ip=ip,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=object_id,
        object_repr=instance.label or "",
        department_id=department_id,
        jurisdiction_id=jurisdiction_id,
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
    locked = getattr(request, "axes_locked_out", False)
    note = _("登录失败（该账号在此地址已被临时锁定，未校验密码）") if locked else _("登录失败")
    record("auth.login_failed", request=request, object_type="auth.user", object_repr=username, note=note)


def on_permission_change(sender, instance, action, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or [])) if pk_set else []
    actor, ip = request_actor_and_ip()  # who changed it, from the admin request; none from a shell or command
    record(
        "auth.permission_change",
        obj=instance,
        actor=actor,
        ip=ip,
        changes={"action": action.removeprefix("post_"), "relation": model._meta.label_lower, "items": names},
    )


def connect() -> None:
    from auditlog.models import LogEntry
    from auditlog.signals import post_log, pre_log
    from wagtail.models import ModelLogEntry, PageLogEntry

    pre_log.connect(remember_logged_instance, dispatch_uid="zhunru_audit_pre_log")
    post_log.connect(forget_logged_instance, dispatch_uid="zhunru_audit_post_log")
    post_save.connect(mirror_auditlog_entry, sender=LogEntry, dispatch_uid="zhunru_audit_auditlog")
    post_save.connect(mirror_wagtail_log_entry, sender=PageLogEntry, dispatch_uid="zhunru_audit_pagelog")
    post_save.connect(mirror_wagtail_log_entry, sender=ModelLogEntry, dispatch_uid="zhunru_audit_modellog")
    user_logged_in.connect(on_login, dispatch_uid="zhunru_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="zhunru_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="zhunru_audit_login_failed")
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(on_permission_change, sender=through, dispatch_uid=f"zhunru_audit_m2m_{through.__name__}")
