"""Admin of the lead tracker (in Chinese): scoped lead lists, timeline, dashboard, export, calendar, rules, notifications."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, IndexView, SnippetViewSetGroup

from zhunru.admin_scoping import EditableObjectMixin, ScopedSnippetViewSet
from zhunru.clock import format_datetime
from zhunru.leads import admin_views, preference_views, print_views, scorecard_views, views
from zhunru.leads.calendar import missing_years
from zhunru.leads.models import (
    DeadlineRule,
    Escalation,
    Extension,
    HolidayYear,
    Lead,
    LeadStage,
    LocalCalendarDay,
    Notification,
)
from zhunru.leads.todo import TodoPanel
from zhunru.scoping import sees_jurisdiction, user_jurisdictions


class LeadFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=gettext_lazy("是否逾期"), method="filter_overdue")
    provisional = django_filters.BooleanFilter(label=gettext_lazy("临时期限"), method="filter_provisional")

    class Meta:
        model = Lead
        fields = ["state", "source", "competent_unit", "responsible_unit", "jurisdiction"]

    def _open_stage(self, **kwargs):
        return Exists(LeadStage.objects.filter(lead=OuterRef("pk"), completed_at__isnull=True, **kwargs))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        cond = self._open_stage(due_at__lt=timezone.now())
        return queryset.filter(cond) if value else queryset.exclude(cond)

    def filter_provisional(self, queryset, name, value):
        if value is None:
            return queryset
        cond = self._open_stage(provisional=True)
        return queryset.filter(cond) if value else queryset.exclude(cond)


class LeadIndexView(IndexView):
    """Search by register number (or part of it) and, for old references, by the former database id."""

    def search_queryset(self, queryset):
        found = super().search_queryset(queryset)
        query = (self.search_query or "").strip().lstrip("#")
        if self.is_searching and query.isdigit():
            return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk=int(query)))
        return found


class LeadCreateView(CreateView):
    """Registering a lead goes through Lead.objects.create_lead, which opens the transfer stage and records it."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if "jurisdiction" in form.fields:
            form.fields["jurisdiction"].queryset = user_jurisdictions(self.request.user)
        return form

    def save_instance(self):
        data = self.form.cleaned_data
        return Lead.objects.create_lead(
            jurisdiction=data["jurisdiction"], source=data["source"], title=data["title"],
            description=data.get("description", ""), received_at=data.get("received_at") or timezone.now(),
            subject_name=data.get("subject_name", ""), subject_uscc=data.get("subject_uscc", ""),
            reporter=data.get("reporter", ""), by=self.request.user, request=self.request,
        )


class LeadEditView(EditView):
    """Details may be corrected; jurisdiction and received time stay (due times depend on them)."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        for name in ("jurisdiction", "received_at"):  # the stages' due times were computed from these
            if name in form.fields:
                form.fields[name].disabled = True
        return form


def current_due(lead) -> str:
    stage = next((s for s in lead.stages.all() if s.completed_at is None), None)
    if stage is None:
        return "—"
    text = format_datetime(stage.due_at)
    if stage.due_at < timezone.now():
        return format_html(_('<span style="color:#cd4444">{}（已逾期）</span>'), text)
    return text + (_("（临时）") if stage.provisional else "")


class LeadViewSet(ScopedSnippetViewSet):
    model = Lead
    icon = "warning"
    menu_label = gettext_lazy("线索")
    url_prefix = "leads/list"
    index_view_class = LeadIndexView
    add_view_class = LeadCreateView
    edit_view_class = LeadEditView
    list_display = ["title", Column("number", label=gettext_lazy("线索编号")), "state", "source", "competent_unit", "responsible_unit", Column("current_due", label=gettext_lazy("当前期限"), accessor=current_due),
                    "received_at"]
    filterset_class = LeadFilterSet
    search_fields = ["number", "title", "description", "subject_name", "subject_uscc"]
    copy_view_enabled = False
    inspect_view_enabled = False
    panels = [
        FieldPanel("jurisdiction"),
        FieldRowPanel([FieldPanel("source"), FieldPanel("received_at")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("reporter"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("subject_name"), FieldPanel("subject_uscc")])], heading=gettext_lazy("涉及经营主体")),
    ]

    def get_queryset(self, request):
        return Lead.objects.visible_to(request.user).select_related(
            "competent_unit", "responsible_unit", "jurisdiction").prefetch_related("stages")


class ExtensionViewSet(ScopedSnippetViewSet):
    model = Extension
    icon = "time"
    menu_label = gettext_lazy("延期申请")
    url_prefix = "leads/extensions"
    list_display = ["lead", "days", "unit", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Extension.objects.filter(lead__in=Lead.objects.visible_to(request.user)).select_related("lead")


class EscalationViewSet(ScopedSnippetViewSet):
    model = Escalation
    icon = "pick"
    menu_label = gettext_lazy("督办升级")
    url_prefix = "leads/escalations"
    list_display = ["lead", "level", "reason", "created_at"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request):
        return Escalation.objects.filter(lead__in=Lead.objects.visible_to(request.user)).select_related("lead")


class HolidayYearViewSet(ScopedSnippetViewSet):
    model = HolidayYear
    icon = "date"
    menu_label = gettext_lazy("节假日安排")
    url_prefix = "leads/holidays"
    list_display = ["year", "notice", "updated_at"]
    copy_view_enabled = False


class DeadlineRuleViewSet(ScopedSnippetViewSet):
    model = DeadlineRule
    icon = "cog"
    menu_label = gettext_lazy("时限规则")
    url_prefix = "leads/rules"
    list_display = ["jurisdiction", "transfer_amount", "verify_amount", "rectify_amount", "rectify_unit", "escalate_after"]
    panels = [
        FieldPanel("jurisdiction"),
        FieldRowPanel([FieldPanel("transfer_amount"), FieldPanel("transfer_unit")]),
        FieldRowPanel([FieldPanel("verify_amount"), FieldPanel("verify_unit")]),
        FieldRowPanel([FieldPanel("rectify_amount"), FieldPanel("rectify_unit")]),
        FieldPanel("escalate_after"),
    ]

    def get_queryset(self, request):
        return DeadlineRule.objects.visible_to(request.user).select_related("jurisdiction")


class LocalDayEditView(EditableObjectMixin, EditView):
    """Another jurisdiction's day answers 404; in one's own jurisdiction only its coordinators (never its
    auditor) and superusers change the days (LocalCalendarDay.editable_by)."""

    refusal = gettext_lazy("只有本辖区的协调员可以修改本辖区的节假日调整。")


class LocalDayDeleteView(EditableObjectMixin, DeleteView):
    refusal = LocalDayEditView.refusal


class LocalCalendarDayViewSet(ScopedSnippetViewSet):
    """辖区节假日调整: a jurisdiction's own rest and working days, for its deadlines only."""

    model = LocalCalendarDay
    icon = "date"
    menu_label = gettext_lazy("辖区节假日调整")
    url_prefix = "leads/local-days"
    list_display = ["day", "kind", "name", "jurisdiction", "basis"]
    list_filter = ["jurisdiction", "kind"]
    copy_view_enabled = False
    edit_view_class = LocalDayEditView
    delete_view_class = LocalDayDeleteView
    # A plain select of the user's jurisdictions (a chooser would show the title of whatever id was posted).
    panels = [FieldPanel("jurisdiction", widget=forms.Select),
              FieldRowPanel([FieldPanel("day"), FieldPanel("kind"), FieldPanel("name")]), FieldPanel("basis")]

    def get_queryset(self, request):
        return LocalCalendarDay.objects.visible_to(request.user).select_related("jurisdiction")

    def get_form_class(self, for_update=False):
        from zhunru.jurisdiction_settings import jurisdiction_limited_form

        return jurisdiction_limited_form(super().get_form_class(for_update=for_update))


class NotificationViewSet(ScopedSnippetViewSet):
    model = Notification
    icon = "mail"
    menu_label = gettext_lazy("我的提醒")
    url_prefix = "leads/notifications"
    list_display = ["subject", "created_at", "read_at", "email_status"]
    list_filter = ["email_status"]
    inspect_view_enabled = True
    copy_view_enabled = False
    # The outbox row is what was sent: only its read mark is edited; the linked object is shown as a link.
    panels = [FieldPanel("read_at")]
    inspect_view_fields = ["recipient", "address", "subject", "body", "url", "created_at", "read_at", "email_status",
                           "email_attempts", "emailed_at", "email_error"]

    def get_queryset(self, request):
        return Notification.objects.for_user(request.user)


class LeadGroup(SnippetViewSetGroup):
    items = (LeadViewSet, ExtensionViewSet, EscalationViewSet, NotificationViewSet, HolidayYearViewSet, DeadlineRuleViewSet,
             LocalCalendarDayViewSet)
    menu_label = gettext_lazy("线索督办")
    menu_icon = "warning"
    menu_name = "zhunru-leads"
    menu_order = 210


register_snippet(LeadGroup)


@hooks.register("register_admin_urls")
def lead_admin_urls():
    return [
        path("leads/<int:pk>/timeline/", views.timeline, name="zhunru_lead_timeline"),
        path("leads/<int:pk>/action/<slug:action>/", views.lead_action, name="zhunru_lead_action"),
        path("leads/reports/<int:pk>/evidence/", views.report_evidence, name="zhunru_lead_report_evidence"),
        path("leads/dashboard/", views.dashboard, name="zhunru_lead_dashboard"),
        path("leads/scorecard/", scorecard_views.department_scorecard, name="zhunru_lead_scorecard"),
        path("leads/<int:pk>/print/transfer.pdf", print_views.transfer_form, name="zhunru_lead_print_transfer"),
        path("leads/escalations/<int:pk>/print.pdf", print_views.escalation_form, name="zhunru_lead_print_escalation"),
        path("leads/extensions/<int:pk>/print.pdf", print_views.extension_form, name="zhunru_lead_print_extension"),
        path("leads/export.xlsx", views.export_ledger, name="zhunru_lead_export"),
        path("leads/notifications/outbox/", admin_views.notification_outbox, name="zhunru_notification_outbox"),
        path("leads/notifications/preference/", preference_views.notification_preference,
             name="zhunru_notification_preference"),
    ]


class _OutboxMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_view_outbox(request.user)


@hooks.register("register_settings_menu_item")
def preference_menu_item():
    return MenuItem(_("提醒方式"), reverse("zhunru_notification_preference"), icon_name="mail", order=902)


@hooks.register("register_settings_menu_item")
def outbox_menu_item():
    return _OutboxMenuItem(_("提醒邮件发件箱"), reverse("zhunru_notification_outbox"), icon_name="mail", order=901)


@hooks.register("register_snippet_listing_buttons")
def lead_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Lead):
        yield ListingButton(_("办理过程"), reverse("zhunru_lead_timeline", args=[snippet.pk]), priority=5, icon_name="history")


class _CoordinatorMenuItem(MenuItem):
    """Shown to the jurisdiction-wide roles: coordinators, and auditors who read it."""

    def is_shown(self, request):
        return sees_jurisdiction(request.user)


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return _CoordinatorMenuItem(_("线索督办看板"), reverse("zhunru_lead_dashboard"), icon_name="table", order=211)


class _ScorecardMenuItem(MenuItem):
    def is_shown(self, request):
        return scorecard_views.can_view_scorecard(request.user)


@hooks.register("register_admin_menu_item")
def scorecard_menu_item():
    return _ScorecardMenuItem(_("部门考评"), reverse("zhunru_lead_scorecard"), icon_name="tasks", order=212)


class LeadHomePanel(Component):
    """Home panel: unread reminders, and a warning while a needed holiday year is missing."""

    name = "zhunru_leads"
    order = 60

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        user = self.request.user
        unread = Notification.objects.for_user(user).unread().count()
        parts = []
        horizon = timezone.localdate() + datetime.timedelta(days=60)
        gaps = missing_years(horizon.year)
        if gaps:
            years = "、".join(str(y) for y in gaps)
            if user.has_perm("zhunru_leads.add_holidayyear"):
                action = format_html(_('<a href="{}">录入节假日安排</a>'),
                                     reverse("wagtailsnippets_zhunru_leads_holidayyear:add"))
            else:  # the national calendar is every office's: an administrator enters it
                action = _("请联系系统管理员录入。")
            parts.append(format_html(
                _('<div class="help-block help-warning"><p><strong>{}年节假日安排尚未录入。</strong>'
                '依赖该年度的线索期限暂按周末计算（临时期限），录入后自动重算。{}</p></div>'),
                years, action))
        if unread:
            parts.append(format_html(_('<p>您有 <a href="{}">{} 条未读线索提醒</a>。</p>'),
                                     reverse("wagtailsnippets_zhunru_leads_notification:list"), unread))
        if not parts:
            return ""
        return format_html(_('<section class="panel summary nice-padding"><h2>线索督办</h2>{}</section>'),
                           format_html_join("", "{}", ((p,) for p in parts)))


@hooks.register("construct_homepage_panels")
def add_lead_panel(request, panels):
    panels.append(TodoPanel(request))
    panels.append(LeadHomePanel(request))
