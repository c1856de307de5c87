"""Wiring: hand-offs notify the people concerned; a calendar change recomputes open due times after commit;
writes to leads drop the cached dashboard figures."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)


def calendar_changed(sender, **kwargs) -> None:
    """The stages themselves record the calendar version they were computed with, so a lost message only
    delays the recompute: the periodic deadline scan recomputes whatever is stale first."""
    def enqueue():
        from zhunru.workers.tasks.deadlines import recompute_due_times

        try:
            recompute_due_times.send()
        except Exception:  # broker unreachable: the calendar change is saved; the next scan recomputes
            log.warning("日历变更后的期限重算入队失败，将由定期期限扫描补做", exc_info=True)

    transaction.on_commit(enqueue)


def figures_changed(sender, **kwargs) -> None:
    """A write that can change the dashboard's and the 待办 panel's counts: the cached ones are dropped now and
    again after commit (a reader between the two could have cached the figures from before the commit)."""
    from zhunru.leads.dashboard import drop_cached_figures

    drop_cached_figures()
    transaction.on_commit(drop_cached_figures)


def local_days_changed(sender, instance, **kwargs) -> None:
    """A jurisdiction's own rest or working day changed: its open stages and co-handling tasks (only its) are
    marked stale, then recomputed like after a national calendar change."""
    from zhunru.leads.models import CoHandling, LeadStage

    if kwargs.get("raw"):
        return
    LeadStage.objects.filter(lead__jurisdiction_id=instance.jurisdiction_id, completed_at__isnull=True).update(
        calendar_version="")
    CoHandling.objects.filter(lead__jurisdiction_id=instance.jurisdiction_id, answered_at__isnull=True).update(
        calendar_version="")
    calendar_changed(sender, **kwargs)


def connect() -> None:
    from zhunru.leads.handoffs import lead_handed_off
    from zhunru.leads.models import (
        CalendarRange,
        CoHandling,
        Extension,
        HolidayYear,
        Lead,
        LeadStage,
        LocalCalendarDay,
    )
    from zhunru.leads.signals import lead_transitioned
    from zhunru.portal.models import Complaint

    lead_transitioned.connect(lead_handed_off, dispatch_uid="zhunru_leads_handoff_notifications")
    for model in (Lead, LeadStage, Extension, CoHandling, Complaint):
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"zhunru_leads_figures_save_{model.__name__}")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"zhunru_leads_figures_delete_{model.__name__}")

    for model in (HolidayYear, CalendarRange):
        post_save.connect(calendar_changed, sender=model, dispatch_uid=f"zhunru_leads_calendar_save_{model.__name__}")
        post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"zhunru_leads_calendar_delete_{model.__name__}")
    post_save.connect(local_days_changed, sender=LocalCalendarDay, dispatch_uid="zhunru_leads_local_day_save")
    post_delete.connect(local_days_changed, sender=LocalCalendarDay, dispatch_uid="zhunru_leads_local_day_delete")
