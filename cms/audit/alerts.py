"""Telling coordinators when the audit chain is broken."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.verification import ChainReport, verify_chain


def alert_recipients(report: ChainReport):
    """Superusers, and the coordinators and auditors to whom the broken event is visible
    (``AuditEvent.objects.visible_to``): another jurisdiction's office learns nothing of it. A break at an event
    that belongs to no jurisdiction (or is gone) goes to superusers only."""
    active = get_user_model().objects.filter(is_active=True)
    broken = AuditEvent.objects.filter(sequence=report.broken_sequence).first()
    allowed = {user.pk for user in active.filter(groups__name__in=[roles.COORDINATOR, roles.AUDITOR],
                                                 is_superuser=False).distinct()
               if broken is not None and AuditEvent.objects.visible_to(user).filter(pk=broken.pk).exists()}
    return active.filter(Q(is_superuser=True) | Q(pk__in=allowed)).distinct()


def alert_if_broken(*, full: bool = False) -> ChainReport:
    report = verify_chain(full=full)
    if report.ok:
        return report
    from zhunru.leads.notifications import notify

    notify(
        alert_recipients(report),
        _("【审计告警】审计日志哈希链校验失败"),
        _("{describe}\n请立即核查数据库访问记录，并运行 python manage.py verify_audit_chain 复核。").format(describe=report.describe()),
        key=f"audit-chain-broken:{report.broken_sequence}",
    )
    return report
