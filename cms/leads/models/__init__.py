"""Models of 准入 · 线索."""

from cms.leads.models.calendar import CalendarRange, HolidayYear

__all__ = ["CalendarRange", "HolidayYear"]
