"""Models of 准入 · 线索."""

from cms.leads.models.calendar import CalendarRange, HolidayYear
from cms.leads.models.leads import Escalation, Extension, Lead, LeadEvent, LeadStage, LeadTransitionError
from cms.leads.models.notifications import Notification
from cms.leads.models.rules import DeadlineRule
from cms.leads.models.work import CoHandling, LeadReport

__all__ = [
    "CalendarRange", "CoHandling", "DeadlineRule", "Escalation", "Extension", "HolidayYear", "Lead", "LeadEvent",
    "LeadReport", "LeadStage", "LeadTransitionError", "Notification",
]
