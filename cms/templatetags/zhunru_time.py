"""``{% load zhunru_time %}``: ``{{ value|beijing }}`` → 2026年12月4日 14:05, ``{{ value|beijing_date }}`` →
2026年12月4日, both Beijing time (zhunru.clock)."""

from django import template

from zhunru import clock

register = template.Library()


@register.filter
def beijing(value) -> str:
    return clock.format_datetime(value)


@register.filter
def beijing_date(value) -> str:
    return clock.format_date(value)
