"""Where the register meets the lead tracker: notifications, working-day deadlines, promoting a finding.

Each function uses ``cms.leads`` when it provides the piece, and otherwise a plain fallback
(Django email, calendar days) or a clear error, so the register works before and without it.
"""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

log = logging.getLogger(__name__)


def _leads_attr(module: str, name: str):
    try:
        return getattr(import_module(f"cms.leads.{module}"), name)
    except (ImportError, AttributeError):
        return None


def notify(users, subject: str, body: str, *, addresses=(), obj=None) -> int:
    """Tell ``users`` (and extra ``addresses``) about something; returns how many were reached."""
    users = list(users)
    leads_notify = _leads_attr("notifications", "notify")
    if leads_notify is not None and users:
        leads_notify(users, subject, body, obj=obj)
        reached = {u.email for u in users if u.email}
        extra = sorted(set(addresses) - reached)
        if extra:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, extra)
        return len(users) + len(extra)
    recipients = sorted({u.email for u in users if u.email} | set(addresses))
    if not recipients:
        log.warning("无人可通知：%s", subject)
        return 0
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


def working_day_deadline(start: datetime.date, days: int, *, jurisdiction=None) -> datetime.date:
    """``days`` working days after ``start`` by the leads calendar (holidays and 调休)."""
    compute_due = _leads_attr("calendar", "compute_due")
    if compute_due is None:
        raise ImproperlyConfigured("工作日期限需要线索模块的工作日历（cms.leads.calendar），目前尚不可用。")
    return compute_due(start, days, working_days=True, jurisdiction=jurisdiction)


def lead_from_ledger_entry(entry, *, by=None):
    """Create a lead from a ledger finding through the lead tracker."""
    lead_model = _leads_attr("models", "Lead")
    factory = getattr(lead_model, "from_ledger_entry", None) if lead_model is not None else None
    if factory is None:
        raise ImproperlyConfigured("线索模块尚未提供 Lead.from_ledger_entry，暂不能将问题转为线索。")
    return factory(entry, by=by)
