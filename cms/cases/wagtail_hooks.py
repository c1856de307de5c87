"""Admin of the register: cases, campaigns, the problem ledger, integrity reports, the archive catalogue."""

from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from zhunru.admin_scoping import ScopedSnippetViewSet
from zhunru.cases import forms_pdf, views
from zhunru.cases.models import (
    BulletinPage,
    Case,
    InspectionCampaign,
    IntegrityReport,
    LedgerEntry,
    RegisterSettings,
    Status,
)
from zhunru.jurisdiction_settings import jurisdiction_limited_form


class CaseChooserViewSet(SnippetChooserViewSet):
    """Bulletins present registered cases only: the chooser offers nothing else."""

    def get_object_list(self):
        return Case.objects.registered().select_related("jurisdiction").order_by("-register_year", "-register_serial")


class CaseViewSet(ScopedSnippetViewSet):
    model = Case
    chooser_viewset_class = CaseChooserViewSet
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("案例登记簿")
    list_display = ["title", "register_number", "status", "category", "importance", "reporting_department"]
    list_filter = ["status", "category", "importance", "jurisdiction"]
    search_fields = ["title", "register_number", "organization"]
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("jurisdiction"), FieldPanel("reporting_department")]),
                FieldPanel("title"),
                FieldRowPanel([FieldPanel("region"), FieldPanel("organization")]),
                FieldRowPanel([FieldPanel("document_name"), FieldPanel("document_number")]),
            ],
            heading=gettext_lazy("基本信息"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("category"), FieldPanel("subcategory"), FieldPanel("importance")]),
                FieldPanel("facts_date"),
                FieldPanel("keywords"),
            ],
            heading=gettext_lazy("分类"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("source"), FieldPanel("source_department")]),
                FieldRowPanel([FieldPanel("source_person"), FieldPanel("source_contact")]),
            ],
            heading=gettext_lazy("案例来源（不公开）"),
        ),
        FieldPanel("summary"),
        FieldPanel("violated_clause"),
        FieldPanel("handling_result"),
        FieldPanel("internal_notes"),
        FieldPanel("leads"),
        MultiFieldPanel([FieldPanel("published_on"), FieldPanel("bulletin_reference")], heading=gettext_lazy("既往通报")),
    ]

    def get_queryset(self, request):
        return Case.objects.visible_to(request.user).select_related("reporting_department", "jurisdiction")

    def get_chooser_queryset(self, request):
        """Typical-case bulletins are compiled by the lead department (section 七): its editors and legal
        reviewers choose among every case of their jurisdiction, and so do those of the installation who
        belong to no department (the editor group edits every jurisdiction's pages); anyone else, such as
        a department's own editor, among what it may see."""
        from zhunru import roles
        from zhunru.scoping import user_departments

        user = request.user
        own = self.get_queryset(request)
        if not roles.held(user) & {roles.EDITOR, roles.LEGAL_REVIEWER}:
            return own
        if not user_departments(user).exists():
            return Case.objects.all()
        compiled = Case.objects.filter(
            jurisdiction__departments__is_lead=True, jurisdiction__departments__memberships__user=user
        )
        return Case.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=compiled.values("pk")))


class InspectionCampaignViewSet(ScopedSnippetViewSet):
    model = InspectionCampaign
    icon = "clipboard-list"
    menu_label = gettext_lazy("自查专项")
    list_display = ["title", "jurisdiction", "starts_on", "ends_on"]
    list_filter = ["jurisdiction"]

    def get_queryset(self, request):
        return InspectionCampaign.objects.visible_to(request.user)


class LedgerEntryForm(WagtailAdminModelForm):
    """Once recorded, an entry's deadline is fixed: the form shows it but ignores posted changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("deadline", "time_limit_days", "time_limit_unit"):
                if name in self.fields:
                    self.fields[name].disabled = True


class LedgerEntryViewSet(ScopedSnippetViewSet):
    model = LedgerEntry
    icon = "list-ul"
    menu_label = gettext_lazy("问题台账")
    list_display = ["problem", "responsible_unit", "deadline", "deadline_provisional", "status", "campaign"]
    list_filter = ["status", "campaign"]
    inspect_view_enabled = True
    # The status (and its result) change only through the entry's transitions (列表中的“开始整改”等按钮);
    # the deadline is set when the entry is recorded.
    edit_handler = ObjectList([
        FieldPanel("campaign"), FieldPanel("department"), FieldPanel("problem"), FieldPanel("basis"),
        FieldPanel("responsible_unit"), FieldPanel("measure"),
        FieldRowPanel([FieldPanel("deadline"), FieldPanel("time_limit_days"), FieldPanel("time_limit_unit")]),
        FieldPanel("status", read_only=True), FieldPanel("result", read_only=True),
    ], base_form_class=LedgerEntryForm)

    def get_queryset(self, request):
        return LedgerEntry.objects.visible_to(request.user).select_related("responsible_unit", "campaign")


class IntegrityReportViewSet(ScopedSnippetViewSet):
    model = IntegrityReport
    icon = "warning"
    menu_label = gettext_lazy("安全检查报告")
    list_display = ["__str__", "checked", "ok"]
    inspect_view_enabled = True
    copy_view_enabled = False


class RegisterSettingsViewSet(ScopedSnippetViewSet):
    model = RegisterSettings
    icon = "cog"
    menu_label = gettext_lazy("登记设置")
    list_display = ["jurisdiction", "number_format", "archive_number_format"]

    def get_queryset(self, request):
        return RegisterSettings.objects.visible_to(request.user).select_related("jurisdiction")

    def get_form_class(self, for_update=False):
        return jurisdiction_limited_form(super().get_form_class(for_update=for_update))


class CaseRegisterGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("案例登记")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (CaseViewSet, InspectionCampaignViewSet, LedgerEntryViewSet, IntegrityReportViewSet, RegisterSettingsViewSet)


register_snippet(CaseRegisterGroup)


class ArchiveCatalogueViewSet(ViewSet):
    name = "case_catalogue"
    icon = "table"
    menu_label = gettext_lazy("案例档案目录")
    menu_order = 310
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [path("", views.archive_catalogue, name="index")]


@hooks.register("register_admin_viewset")
def register_catalogue():
    return ArchiveCatalogueViewSet()


@hooks.register("register_admin_urls")
def case_action_urls():
    return [
        path("cases/<int:pk>/files/", views.case_files, name="zhunru_case_files"),
        path("cases/<int:pk>/report.pdf", forms_pdf.case_report_view, name="zhunru_case_report_pdf"),
        path("cases/ledger/<int:pk>/evidence/", views.ledger_evidence, name="zhunru_ledger_evidence"),
        path("cases/ledger/<int:pk>/promote/", views.ledger_promote, name="zhunru_ledger_promote"),
        path("cases/ledger/<int:pk>/promote-lead/", views.ledger_promote_lead, name="zhunru_ledger_promote_lead"),
        path("cases/ledger/<int:pk>/status/<slug:action>/", views.ledger_action, name="zhunru_ledger_action"),
        path("cases/<int:pk>/<slug:action>/", views.case_action, name="zhunru_case_action"),
    ]


NEXT_ACTIONS = {
    Status.REPORTED: ["register"],
    Status.REGISTERED: ["start_review", "mark_reviewed"],
    Status.UNDER_REVIEW: ["archive", "mark_reviewed"],
    Status.ARCHIVED: ["mark_reviewed"],
}


@hooks.register("register_snippet_listing_buttons")
def ledger_listing_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, LedgerEntry):
        return []
    # Only what this user may do: a step the model would refuse is not offered (issue 22, item 5).
    buttons = []
    if user.has_perm("zhunru_cases.change_ledgerentry"):
        buttons.append(ListingButton(_("整改印证材料"), reverse("zhunru_ledger_evidence", args=[snippet.pk]), priority=10))
    next_step = {LedgerEntry.Status.OPEN: "start", LedgerEntry.Status.RECTIFYING: "rectified",
                 LedgerEntry.Status.RECTIFIED: "close"}.get(snippet.status)
    if next_step and snippet._may_act(user, close=next_step == "close"):
        buttons.append(ListingButton(views.LEDGER_ACTIONS[next_step][1],
                                     reverse("zhunru_ledger_action", args=[snippet.pk, next_step]), priority=9))
    if snippet.promoted_case_id is None and user.has_perm("zhunru_cases.add_case"):
        buttons.append(ListingButton(_("转为案例"), reverse("zhunru_ledger_promote", args=[snippet.pk]), priority=11))
    if user.has_perm("zhunru_leads.add_lead"):
        buttons.append(ListingButton(_("转为线索"), reverse("zhunru_ledger_promote_lead", args=[snippet.pk]), priority=12))
    return buttons


@hooks.register("register_snippet_listing_buttons")
def case_listing_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Case):
        return []
    buttons = [ListingButton(_("打印登记报告"), reverse("zhunru_case_report_pdf", args=[snippet.pk]), priority=9)]
    if user.has_perm("zhunru_cases.change_case"):
        buttons.append(ListingButton(_("案例资料"), reverse("zhunru_case_files", args=[snippet.pk]), priority=9))
    if not user.has_perm("zhunru_cases.register_case"):
        return buttons
    for priority, action in enumerate(NEXT_ACTIONS.get(snippet.status, [])):
        url = reverse("zhunru_case_action", args=[snippet.pk, action])
        if next_url:
            url += f"?next={next_url}"
        buttons.append(ListingButton(views.CASE_ACTIONS[action][2], url, priority=10 + priority))
    return buttons


# --- 发布 on a bulletin that still needs its review --------------------------------------------------
# Wagtail treats a refused 发布 as 保存草稿 without a word. For a bulletin the button means "send it on its
# way": it is submitted to the workflow (司法审核 → 协调员审批), and the message says so and to whom.
_SENT_FOR_REVIEW = "_zhunru_publish_sent_for_review"


def _publish_to_submit(request) -> None:
    post = request.POST.copy()
    post.pop("action-publish", None)
    post["action-submit"] = "1"
    request.POST = post
    setattr(request, _SENT_FOR_REVIEW, True)


@hooks.register("before_edit_page")
def bulletin_publish_goes_to_review(request, page):
    if request.method != "POST" or not request.POST.get("action-publish"):
        return None
    page = page.specific
    if not isinstance(page, BulletinPage):
        return None
    perms = page.permissions_for_user(request.user)
    if perms.can_publish():
        return None
    if perms.can_submit_for_moderation():
        _publish_to_submit(request)
    else:
        setattr(request, _SENT_FOR_REVIEW, "refused")
    return None


@hooks.register("before_create_page")
def new_bulletin_publish_goes_to_review(request, parent_page, page_class):
    if (request.method == "POST" and request.POST.get("action-publish") and issubclass(page_class, BulletinPage)
            and parent_page.has_workflow):
        _publish_to_submit(request)
    return None


@hooks.register("after_edit_page")
@hooks.register("after_create_page")
def say_where_the_bulletin_went(request, page):
    from django.contrib import messages

    from zhunru.cases.workflow import review_status_text

    how = getattr(request, _SENT_FOR_REVIEW, None)
    if not how:
        return None
    page = page.specific
    status = review_status_text(page)
    if how is True:
        messages.info(request, _("通报“{title}”须经司法审核和协调员审批后发布，未直接发布：已提交“{name}”，"
                               "{status}。").format(title=page.title, name=page.get_workflow().name, status=status))
    else:
        messages.warning(request, _("通报“{title}”未发布：须经司法审核和协调员审批后才能发布，修改已保存为草稿"
                                  "{value}。").format(title=page.title, value='，' + status if status else ''))
    return None
