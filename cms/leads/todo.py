"""The admin home's 待办 panel: what is waiting for this user, soonest deadline first.

One section per kind of work, each shown only to those who do it (issue 20, item 4):

- 我的线索: open stages of the leads that sit with the user's departments (transfer for the lead
  department, verification for the competent unit, rectification for the responsible unit), by due time;
- 待审批的延期申请: pending extension requests of the jurisdictions under the approver's office;
- 待反馈的协办: co-handling requests to the user's departments not yet answered, by due time;
- 待分拣的问题反映: complaints received and not triaged, for coordinators.

Bulletins waiting for legal review or approval are in Wagtail's own "等待你的审查" panel.
Each section is one query with a limit, plus one count.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from zhunru import roles
from zhunru.clock import format_datetime

SHOWN = 8


def todo_sections(user, now=None) -> list[dict]:
    """[{"title", "count", "items": [(text, url, due_at | None, overdue)], "more_url"}] with work waiting."""
    from zhunru.leads.models import CoHandling, Extension, Lead, LeadStage
    from zhunru.portal.models import Complaint
    from zhunru.scoping import lower_jurisdictions, user_departments, user_jurisdictions

    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    sections = []
    departments = user_departments(user)
    stages = (LeadStage.objects.open().filter(department__in=departments)
              .select_related("lead").order_by("due_at", "pk"))
    sections.append({
        "title": _("我的线索"), "count": stages.count(), "more_url": reverse("wagtailsnippets_zhunru_leads_lead:list"),
        "items": [(f"{s.lead.number} {s.lead.title}（{s.get_kind_display()}）",
                   reverse("zhunru_lead_timeline", args=[s.lead_id]), s.due_at, s.due_at < now) for s in stages[:SHOWN]],
    })
    if roles.has_role(user, roles.EXTENSION_APPROVER):
        pending = Extension.objects.filter(status=Extension.Status.PENDING, lead__in=Lead.objects.visible_to(user))
        if not user.is_superuser:  # the requests of the jurisdictions under the approver's office only
            pending = pending.filter(lead__jurisdiction__in=lower_jurisdictions(user_jurisdictions(user)))
        pending = pending.select_related("lead").order_by("requested_at", "pk")
        sections.append({
            "title": _("待审批的延期申请"), "count": pending.count(),
            "more_url": reverse("wagtailsnippets_zhunru_leads_extension:list"),
            "items": [(_("{number} 申请延期 {days} 个{get_unit_display}").format(number=e.lead.number, days=e.days, get_unit_display=e.get_unit_display()),
                       reverse("zhunru_lead_timeline", args=[e.lead_id]), None, False) for e in pending[:SHOWN]],
        })
    co = (CoHandling.objects.filter(department__in=departments, answered_at__isnull=True)
          .exclude(lead__state=Lead.State.CLOSED).select_related("lead").order_by("due_at", "pk"))
    sections.append({
        "title": _("待反馈的协办"), "count": co.count(), "more_url": "",
        "items": [(f"{c.lead.number} {c.task[:30]}", reverse("zhunru_lead_timeline", args=[c.lead_id]), c.due_at,
                   c.due_at < now) for c in co[:SHOWN]],
    })
    if roles.has_role(user, roles.COORDINATOR):
        complaints = Complaint.objects.visible_to(user).awaiting_triage().order_by("submitted_at", "pk")
        sections.append({
            "title": _("待分拣的问题反映"), "count": complaints.count(),
            "more_url": reverse("wagtailsnippets_zhunru_portal_complaint:list"),
            "items": [(str(c), reverse("zhunru_complaint_triage", args=[c.pk]), None, False)
                      for c in complaints[:SHOWN]],
        })
    return [s for s in sections if s["count"]]


def cached_todo_sections(user) -> list[dict]:
    """``todo_sections(user)``, cached per what decides them: the user's departments, jurisdictions, roles and
    the scoped lead and complaint queries (zhunru.leads.dashboard.cached_figures)."""
    from zhunru.leads.dashboard import cached_figures, scope_of
    from zhunru.leads.models import Lead
    from zhunru.portal.models import Complaint
    from zhunru.scoping import user_departments, user_jurisdictions

    if not user.is_authenticated:
        return []

    def scope() -> str:
        return "|".join([
            f"superuser={user.is_superuser}",
            f"departments={sorted(d.pk for d in user_departments(user))}",
            f"jurisdictions={sorted(j.pk for j in user_jurisdictions(user))}",
            f"approver={roles.has_role(user, roles.EXTENSION_APPROVER)}",
            f"coordinator={roles.has_role(user, roles.COORDINATOR)}",
            scope_of(Lead.objects.visible_to(user), Complaint.objects.visible_to(user)),
        ])

    return cached_figures("todo", scope, lambda: todo_sections(user))


class TodoPanel(Component):
    name = "zhunru_todo"
    order = 50

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        sections = cached_todo_sections(self.request.user)
        if not sections:
            return ""
        blocks = []
        for section in sections:
            items = format_html_join(
                "", '<li><a href="{}">{}</a>{}</li>',
                ((url, text, _due(due, overdue)) for text, url, due, overdue in section["items"]))
            more = (format_html(_(' <a href="{}">全部</a>'), section["more_url"])
                    if section["more_url"] and section["count"] > len(section["items"]) else "")
            blocks.append(format_html(_("<h3>{}（{} 项）{}</h3><ul>{}</ul>"), section["title"], section["count"], more, items))
        return format_html(_('<section class="panel summary nice-padding"><h2>待办</h2>{}</section>'),
                           format_html_join("", "{}", ((b,) for b in blocks)))


def _due(due, overdue) -> str:
    if due is None:
        return ""
    if overdue:
        return format_html(_(' <strong class="w-text-critical-200">已逾期（届满 {}）</strong>'), format_datetime(due))
    return format_html(_("（届满 {}）"), format_datetime(due))
