"""Lockouts into the audit chain."""

from django.utils.translation import gettext as _

from zhunru.audit.recording import record


def on_locked_out(sender, request, username, ip_address, **kwargs):
    # Only when the lock begins: the login attempts refused while locked are recorded as failed logins.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    record(
        "auth.locked_out",
        request=request,
        object_type="auth.user",
        object_repr=str(username or "")[:150],
        ip=ip_address,
        note=_("连续 {failures} 次登录失败，该账号在此地址的登录已被临时锁定").format(failures=failures),
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(on_locked_out, dispatch_uid="zhunru_security_locked_out")
