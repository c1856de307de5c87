"""Who hears of a complaint: the coordinators (filed, triaged) and the complainant (triaged, closed).

Written through the lead tracker's notification outbox (``zhunru.leads.notifications.notify``) in the
transaction of the change, when the tracker is installed; the complainant has no account, so their
e-mail is addressed by mailbox. What the complainant reads is public: the receipt code, the status, the
published reason or result and a link to the status page; never an internal note or an official's name.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from zhunru.clock import format_date

log = logging.getLogger(__name__)


def _notify():
    if not apps.is_installed("zhunru.leads"):
        return None
    from zhunru.leads.notifications import notify

    return notify


def _coordinators(jurisdiction_id) -> list:
    from zhunru.leads.handoffs import coordinators

    return coordinators(jurisdiction_id)


def _status_link() -> str:
    return reverse("zhunru_portal:complaint_status")


def _admin_link(complaint) -> str:
    return reverse("zhunru_complaint_triage", args=[complaint.pk])


def complaint_filed(complaint) -> None:
    notify = _notify()
    if notify is None:
        return
    notify(_coordinators(complaint.jurisdiction_id), _("新的问题反映待分办：{value}").format(value=complaint.organization[:40]),
           _("收到问题反映（回执码 {display_code}），涉及单位：{organization}。请在 1 个工作日内分办。").format(display_code=complaint.display_code, organization=complaint.organization),
           obj=complaint, key=f"complaint:{complaint.pk}:filed", url=_admin_link(complaint))


def complaint_status_changed(complaint, previous: str, by=None) -> None:
    """Inside the status change's transaction: tell the coordinators of a triage, the complainant of triage and closure."""
    notify = _notify()
    if notify is None:
        return
    Status = type(complaint).Status
    code = complaint.display_code
    submitted = _("{local}提交的问题反映（回执码 {code}）").format(local=_local(complaint.submitted_at), code=code)
    if complaint.status in (Status.ACCEPTED, Status.NOT_ACCEPTED) and previous == Status.RECEIVED:
        verdict = _("已受理，转为线索办理") if complaint.status == Status.ACCEPTED else _("不予受理")
        others = [u for u in _coordinators(complaint.jurisdiction_id) if by is None or u.pk != by.pk]
        notify(others, _("问题反映已分办（{verdict}）：{value}").format(verdict=verdict, value=complaint.organization[:40]),
               _("问题反映（回执码 {code}）{verdict}。").format(code=code, verdict=verdict) + (_("\n线索编号：{lead_reference}").format(lead_reference=complaint.lead_reference) if complaint.lead_reference else ""),
               obj=complaint, key=f"complaint:{complaint.pk}:triaged", url=_admin_link(complaint))
        if complaint.contact_email:
            body = _("您于{submitted}{verdict}。").format(submitted=submitted, verdict=verdict)
            if complaint.status == Status.NOT_ACCEPTED:
                body += _("\n理由：{status_reason}").format(status_reason=complaint.status_reason)
            else:
                body += _("我们将依照规定时限核查处理，办结后告知您办理结果。")
            body += _("\n您可凭回执码在门户“办理进度查询”页面查看办理进度。")
            notify([], _("您反映的问题{verdict}").format(verdict=verdict), body, obj=complaint, key=f"complaint:{complaint.pk}:triaged:complainant",
                   url=_status_link(), addresses=[complaint.contact_email])
    elif complaint.status == Status.HANDLED and complaint.contact_email:
        notify([], _("您反映的问题已办结"), _("您于{submitted}已办结。\n办理结果：{result}\n"
               "您可凭回执码在门户“办理进度查询”页面查看办理过程。").format(submitted=submitted, result=complaint.result), obj=complaint,
               key=f"complaint:{complaint.pk}:closed:complainant", url=_status_link(), addresses=[complaint.contact_email])


def _local(value) -> str:
    return format_date(value)
