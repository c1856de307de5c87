"""System checks for the catalog's settings (``ZHUNRU_CATALOG_*``)."""

from django.core.checks import Warning, register
from django.utils.translation import gettext as _

from zhunru.catalog import conf


@register()
def check_catalog_settings(app_configs=None, **kwargs):
    problems = []
    limit = conf.get("FOLLOW_UP_LIMIT")
    if not (isinstance(limit, list | tuple) and len(limit) == 2 and isinstance(limit[0], int)
            and not isinstance(limit[0], bool) and 1 <= limit[0] <= 3660 and limit[1] in ("working", "calendar")):
        problems.append(Warning(_('ZHUNRU_CATALOG_FOLLOW_UP_LIMIT 应为 (天数, "working" 或 "calendar")，如 (5, "working")。'),
                                id="zhunru_catalog.W001"))
    every = conf.get("FOLLOW_UP_REMINDER_EVERY_SECONDS")
    if not isinstance(every, int) or every < 60:
        problems.append(Warning(_("ZHUNRU_CATALOG_FOLLOW_UP_REMINDER_EVERY_SECONDS 应为不小于 60 的整数（秒）。"),
                                id="zhunru_catalog.W002"))
    return problems
