"""信用修复 and the end of publicity periods for our own 失信 records; how a subject's class follows them.

Class derivation (README "Credit commitments and credit-platform exchange"):

- 失信 while the subject has a 失信 record of ours that is neither repaired nor past its publicity period,
  or is on the 严重违法失信名单 (a feed or an entry);
- when the last such record is repaired or expires, a subject whose class is 失信 goes back to 一般;
- 守信 comes only from the platforms' feeds (zhunru.credit.feeds); every change keeps its reason and source
  in CreditClassChange and the audit trail.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhunru.credit.models import CreditClass, CreditList, DishonestyRecord, MarketSubject


def active_records(subject, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return subject.dishonesty_records.filter(repaired_at__isnull=True).filter(
        Q(publicity_until__isnull=True) | Q(publicity_until__gte=today))


def rederive_class(subject: MarketSubject, *, reason: str, source: str = "", by=None, request=None) -> None:
    """After a record left: back to 一般 when nothing keeps the subject 失信."""
    if subject.credit_class != CreditClass.DISHONEST:
        return
    if active_records(subject).exists() or subject.on_list(CreditList.SERIOUS):
        return
    subject.change_class(CreditClass.GENERAL, reason=reason, source=source, by=by, request=request)


def take_off(rec: DishonestyRecord, *, reason: str, by=None, request=None) -> bool:
    """Mark a record repaired/expired, tell the platforms, withdraw its 双公示 entry, re-derive the class."""
    from zhunru.audit.recording import record
    from zhunru.credit import disclosure

    with transaction.atomic():
        rec = DishonestyRecord.objects.select_for_update(of=("self",)).select_related("subject").get(pk=rec.pk)
        if rec.repaired_at is not None:
            return False
        rec.repaired_at = timezone.now()
        rec.save(update_fields=["repaired_at"])
        record("credit.dishonesty_repaired", obj=rec, actor=by, request=request, note=reason)
        disclosure._tell_platforms(jurisdiction=rec.jurisdiction, subject=rec.subject, obj=rec,
                                   document_number=rec.document_number, decided_on=rec.decided_on,
                                   subject_name=rec.subject.name, uscc=rec.subject.uscc, kind="dishonesty",
                                   reason=reason, by=by)
        from zhunru.credit.models import PublicDecision

        for d in PublicDecision.objects.filter(jurisdiction=rec.jurisdiction, document_number=rec.document_number,
                                               withdrawn_at__isnull=True):
            disclosure.withdraw(d, reason=reason, by=by, request=request)
        rederive_class(rec.subject, reason=f"{rec.document_number}{reason}", source=rec.document_number, by=by,
                       request=request)
    return True


def expire_records(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    count = 0
    for rec in DishonestyRecord.objects.filter(repaired_at__isnull=True, publicity_until__lt=today):
        count += take_off(rec, reason="公示期满")
    return count
