"""Retention: removing entries older than ``ZHUNRU_AUDIT_RETENTION_DAYS``, leaving the rest verifiable.

Unset (the default) keeps every entry forever: the trail is the evidence of what officers did, and
the Cybersecurity Law (网络安全法 第二十一条) requires network logs to be kept for at least six months,
so a retention shorter than ``MIN_RETENTION_DAYS`` is refused.

Pruning writes a ``ChainAnchor`` (the last removed entry's sequence and hash), where verification starts,
and appends an ``audit.prune`` entry recording the same sequence and hash, which vouches for the anchor:
an anchor without it is reported as forged.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.audit.models import AuditEvent, ChainAnchor
from zhunru.audit.recording import record
from zhunru.audit.verification import PRUNE_ACTION, ChainReport, verify_chain

MIN_RETENTION_DAYS = 180


class RetentionError(Exception):
    """Pruning refused: the retention is too short or the chain is broken."""


@dataclass(frozen=True)
class PruneResult:
    days: int | None
    count: int = 0
    pruned_through: int | None = None


def retention_days() -> int | None:
    """The configured retention in days, or None to keep every entry forever."""
    value = getattr(settings, "ZHUNRU_AUDIT_RETENTION_DAYS", None)
    return int(value) if value else None


def prune_expired(days: int | None = None, *, now: datetime | None = None) -> PruneResult:
    """Remove the entries older than ``days`` (default: the setting); nothing when retention is unset."""
    days = days if days is not None else retention_days()
    if not days:
        return PruneResult(None)
    if days < MIN_RETENTION_DAYS:
        raise RetentionError(_("保留期 {days} 天过短：审计日志至少保留 {MIN_RETENTION_DAYS} 天（网络日志留存不少于六个月）。").format(days=days, MIN_RETENTION_DAYS=MIN_RETENTION_DAYS))
    report: ChainReport = verify_chain(full=True)  # before deleting evidence: the whole chain
    if not report.ok:
        raise RetentionError(_("审计链已断裂，拒绝清理：{describe}").format(describe=report.describe()))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        last = (
            AuditEvent.objects.filter(timestamp__lt=cutoff, sequence__isnull=False).order_by("-sequence").first()
        )
        if last is None:
            return PruneResult(days)
        anchor = ChainAnchor.objects.create(pruned_through=last.sequence, last_hash=last.hash, pruned_at=timezone.now())
        # The only deletion path: a raw queryset delete bypassing the immutable manager.
        doomed = AuditEvent.objects.filter(sequence__lte=last.sequence)
        count = doomed.count()
        doomed._raw_delete(doomed.db)
        record(
            PRUNE_ACTION,
            obj=anchor,
            changes={"pruned_through": last.sequence, "last_hash": last.hash, "count": count, "days": days},
            note=_("清理 #{sequence} 及以前的 {count} 条审计日志（保留 {days} 天）").format(sequence=last.sequence, count=count, days=days),
        )
    return PruneResult(days, count, last.sequence)
