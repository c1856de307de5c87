"""One clock: every date and time a person reads is Beijing time, written one way.

Stored values stay UTC (USE_TZ); whatever shows them to a person (admin and portal templates, PDFs,
emails, XLSX/CSV exports) formats them here: ``2026年12月4日 14:05`` and ``2026年12月4日``. Templates use
the filters of ``{% load zhunru_time %}`` (``|beijing``, ``|beijing_date``), which call these.
"""

import datetime
import re
import zoneinfo

from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
DATETIME_FORMAT = "Y年n月j日 H:i"  # Django date-filter syntax
DATE_FORMAT = "Y年n月j日"

# An ISO 8601 date-time as DjangoJSONEncoder and isoformat() write it (audit changes, stored computations).
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})")


def to_beijing(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in Beijing time; a naive one is taken to be UTC, as the database stores it."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(BEIJING)


def format_datetime(value) -> str:
    """``2026年12月4日 14:05`` (Beijing time); a date gives ``2026年12月4日``; an ISO string is parsed;
    None and "" give ""."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            return value
        value = parsed
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    return dateformat.format(to_beijing(value), DATETIME_FORMAT)


def format_date(value) -> str:
    """``2026年12月4日``; a datetime gives its date in Beijing time."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        parsed = parse_datetime(value) or datetime.date.fromisoformat(value)
        value = parsed
    if isinstance(value, datetime.datetime):
        value = to_beijing(value).date()
    return dateformat.format(value, DATE_FORMAT)


def localize_text(text: str) -> str:
    """``text`` with every ISO date-time carrying a zone (``2026-12-04T06:05:00Z``) written in Beijing time."""
    return _ISO_DATETIME.sub(lambda m: format_datetime(m.group(0)), text)


def spreadsheet_value(value):
    """A cell of an XLSX/CSV export: dates and times as a person reads them, the rest unchanged."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return format_datetime(value)
    return value
