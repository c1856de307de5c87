"""Recompute the due times of open stages after the calendar changed (a year entered, a holiday corrected)."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.leads import conf
from zhunru.leads.calendar import WorkingCalendar

log = logging.getLogger(__name__)


def recompute_open_due_times(*, chunk_size: int | None = None) -> int:
    """Recompute every open stage and co-handling task computed with an older calendar; returns how many moved.

    Keyset-paginated, so any number of open leads is handled in bounded memory; idempotent.
    """
    from zhunru.audit.recording import record
    from zhunru.leads.models import CoHandling, DeadlineRule, LeadEvent, LeadStage
    from zhunru.leads.signals import due_times_recomputed

    calendar = WorkingCalendar.load()
    escalate_after: dict[int, int] = {}
    chunk_size = chunk_size or conf.get("SCAN_CHUNK_SIZE")
    moved = checked = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                LeadStage.objects.select_for_update(of=("self",))
                .filter(completed_at__isnull=True, pk__gt=last_pk)
                .exclude(calendar_version=calendar.version)
                .select_related("lead__jurisdiction")
                .order_by("pk")[:chunk_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            events, changed, same = [], [], []
            for stage in batch:
                checked += 1
                old = (stage.due_at, stage.provisional, stage.calendar_version)
                jid = stage.lead.jurisdiction_id
                if jid not in escalate_after:
                    escalate_after[jid] = DeadlineRule.limits_for(stage.lead.jurisdiction)["escalate"][0]
                stage.compute(calendar=calendar, escalate_after=escalate_after[jid])
                if (stage.due_at, stage.provisional) == old[:2]:
                    same.append(stage.pk)
                    continue
                moved += 1
                changed.append(stage)
                stage.soon_reminded = stage.today_reminded = stage.overdue_reminded = False
                events.append(LeadEvent(
                    lead=stage.lead, action="due_recomputed", to_state=stage.lead.state,
                    note=_("{get_kind_display}阶段期限由 {localtime:%Y-%m-%d %H:%M}"
                    "{value} 调整为 {localtime2:%Y-%m-%d %H:%M}"
                    "{value2}").format(get_kind_display=stage.get_kind_display(), localtime=timezone.localtime(old[0]), value=_('（临时）') if old[1] else '', localtime2=timezone.localtime(stage.due_at), value2=_('（临时）') if stage.provisional else ''),
                    data={"stage": stage.pk, "old_due_at": old[0].isoformat(), "new_due_at": stage.due_at.isoformat(),
                          "old_calendar_version": old[2], "calendar_version": calendar.version},
                ))
            # Unchanged due times only take the new version; one UPDATE per chunk.
            LeadStage.objects.filter(pk__in=same).update(calendar_version=calendar.version)
            LeadStage.objects.bulk_update(
                changed, ["due_date", "due_at", "remind_at", "escalate_at", "provisional", "calendar_version", "computation",
                          "soon_reminded", "today_reminded", "overdue_reminded"],
            )
            LeadEvent.objects.bulk_create(events)
    for co in CoHandling.objects.filter(answered_at__isnull=True).exclude(calendar_version=calendar.version).iterator(chunk_size=500):
        co.compute(calendar)
        co.save(update_fields=["due_at", "provisional", "calendar_version"])
    if checked:
        record("lead.due_recomputed", object_type="zhunru_leads.leadstage", object_repr=_("线索期限重算"),
               changes={"calendar_version": calendar.version, "checked": checked, "moved": moved})
        due_times_recomputed.send(sender=LeadStage, count=moved)
        log.info("日历变更：复核 %s 个期限，调整 %s 个", checked, moved)
    return moved
