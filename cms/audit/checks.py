"""System checks: an audit retention the law allows."""

from django.conf import settings
from django.core import checks

from zhunru.audit.retention import MIN_RETENTION_DAYS


@checks.register(checks.Tags.security)
def audit_retention(app_configs, **kwargs):
    value = getattr(settings, "ZHUNRU_AUDIT_RETENTION_DAYS", None)
    if value in (None, 0, ""):
        return []
    if not isinstance(value, int) or value < MIN_RETENTION_DAYS:
        return [checks.Error(
            f"ZHUNRU_AUDIT_RETENTION_DAYS = {value!r}：审计日志至少保留 {MIN_RETENTION_DAYS} 天"
            "（网络安全法第二十一条：网络日志留存不少于六个月）。",
            hint=f"不设置（永久保存，推荐）或设为不小于 {MIN_RETENTION_DAYS} 的整数天数。",
            id="zhunru_audit.E001",
        )]
    return []
