"""Telling coordinators when the audit chain is broken."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from zhunru import roles
from zhunru.audit.verification import ChainReport, verify_chain


def alert_if_broken(*, full: bool = False) -> ChainReport:
    report = verify_chain(full=full)
    if report.ok:
        return report
    from zhunru.leads.notifications import notify

    recipients = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name__in=[roles.COORDINATOR, roles.AUDITOR]), is_active=True
    ).distinct()
    notify(
        recipients,
        "【审计告警】审计日志哈希链校验失败",
        f"{report.describe()}\n请立即核查数据库访问记录，并运行 python manage.py verify_audit_chain 复核。",
        key=f"audit-chain-broken:{report.broken_sequence}",
    )
    return report
