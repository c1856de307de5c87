"""Models of 准入 · 线索."""

from cms.leads.models.calendar import CalendarRange, HolidayYear
from cms.leads.models.notifications import Notification

__all__ = ["CalendarRange", "HolidayYear", "Notification"]
