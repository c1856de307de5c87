"""System checks for the lead tracker's settings (``ZHUNRU_LEADS_*``)."""

from django.core.checks import Warning, register
from django.utils.translation import gettext as _

from zhunru.leads import conf


@register()
def check_lead_settings(app_configs=None, **kwargs):
    problems = []
    fraction = conf.get("REMIND_AT_FRACTION")
    if not isinstance(fraction, int | float) or not 0 < fraction < 1:
        problems.append(Warning(_("ZHUNRU_LEADS_REMIND_AT_FRACTION 应为 0 与 1 之间的小数（如 0.5）。"), id="zhunru_leads.W001"))
    for name in ("TRANSFER_LIMIT", "VERIFY_LIMIT", "RECTIFY_LIMIT"):
        value = conf.get(name)
        if not (isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], int) and value[0] > 0
                and value[1] in ("working", "calendar")):
            problems.append(Warning(_("ZHUNRU_LEADS_{name} 应为 (天数, \"working\" 或 \"calendar\")。").format(name=name), id="zhunru_leads.W002"))
    if not isinstance(conf.get("SCAN_CHUNK_SIZE"), int) or conf.get("SCAN_CHUNK_SIZE") < 1:
        problems.append(Warning(_("ZHUNRU_LEADS_SCAN_CHUNK_SIZE 应为正整数。"), id="zhunru_leads.W003"))
    return problems
