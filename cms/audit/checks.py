"""System checks: an audit retention the law allows."""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from zhunru.audit.retention import MIN_RETENTION_DAYS


@checks.register(checks.Tags.security)
def audit_retention(app_configs, **kwargs):
    value = getattr(settings, "ZHUNRU_AUDIT_RETENTION_DAYS", None)
    if value in (None, 0, ""):
        return []
    if not isinstance(value, int) or value < MIN_RETENTION_DAYS:
        return [checks.Error(
            _("ZHUNRU_AUDIT_RETENTION_DAYS = {value!r}：审计日志至少保留 {MIN_RETENTION_DAYS} 天"
            "（网络安全法第二十一条：网络日志留存不少于六个月）。").format(value=value, MIN_RETENTION_DAYS=MIN_RETENTION_DAYS),
            hint=_("不设置（永久保存，推荐）或设为不小于 {MIN_RETENTION_DAYS} 的整数天数。").format(MIN_RETENTION_DAYS=MIN_RETENTION_DAYS),
            id="zhunru_audit.E001",
        )]
    return []


@checks.register(checks.Tags.security, deploy=True)
def audit_checkpoint_key(app_configs, **kwargs):
    if getattr(settings, "ZHUNRU_AUDIT_CHECKPOINT_KEY", ""):
        return []
    return [checks.Warning(
        _("未设置 ZHUNRU_AUDIT_CHECKPOINT_KEY：审计链检查点的签名密钥由 SECRET_KEY 派生。"),
        hint=_("在数据库以外保管一个独立的密钥（环境变量），使能改写数据库的人无法伪造检查点。"),
        id="zhunru_audit.W002",
    )]
