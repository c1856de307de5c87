"""Models of 准入 · 线索."""

from zhunru.leads.models.calendar import CalendarRange, HolidayYear
from zhunru.leads.models.leads import Escalation, Extension, Lead, LeadEvent, LeadStage, LeadTransitionError
from zhunru.leads.models.local_days import LocalCalendarDay
from zhunru.leads.models.notifications import Notification, NotificationPreference
from zhunru.leads.models.rules import DeadlineRule
from zhunru.leads.models.work import CoHandling, LeadReport

__all__ = [
    "CalendarRange", "CoHandling", "DeadlineRule", "Escalation", "Extension", "HolidayYear", "Lead", "LeadEvent",
    "LeadReport", "LeadStage", "LeadTransitionError", "LocalCalendarDay", "Notification", "NotificationPreference",
]
