"""Admin of the credit app: subjects, commitments, outbox, platforms, feeds, reconciliation."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSetGroup

from zhunru.admin_scoping import EditableObjectMixin, ScopedSnippetViewSet
from zhunru.credit import procedure_views, views
from zhunru.credit.models import (
    BreachProcedure,
    CommitmentRule,
    CreditCommitment,
    CreditPlatform,
    CreditSettings,
    DishonestyRecord,
    FeedChange,
    FeedQuarantine,
    MarketSubject,
    OutboundRecord,
    PublicDecision,
    RepairApplication,
)
from zhunru.jurisdiction_settings import jurisdiction_limited_form
from zhunru.scoping import is_coordinator, sees_jurisdiction


class MarketSubjectViewSet(ScopedSnippetViewSet):
    model = MarketSubject
    icon = "group"
    menu_label = gettext_lazy("市场主体")
    url_prefix = "credit/subjects"
    list_display = ["name", "uscc", "legal_representative", "credit_class", "jurisdiction"]
    list_filter = ["credit_class", "jurisdiction"]
    search_fields = ["name", "uscc", "legal_representative"]
    copy_view_enabled = False
    panels = [FieldPanel("name"), FieldRowPanel([FieldPanel("uscc"), FieldPanel("legal_representative")]),
              FieldPanel("jurisdiction")]  # the class changes only with a reason (feeds, change_class)

    def get_queryset(self, request):
        return MarketSubject.objects.visible_to(request.user)


class CommitmentViewSet(ScopedSnippetViewSet):
    model = CreditCommitment
    icon = "doc-full"
    menu_label = gettext_lazy("信用承诺")
    url_prefix = "credit/commitments"
    list_display = ["subject", "permit_name", "kind", "due_date", "status", "permit_status"]
    list_filter = ["status", "permit_status", "kind", "jurisdiction"]
    search_fields = ["permit_name", "promise"]
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [FieldPanel("subject"), FieldRowPanel([FieldPanel("jurisdiction"), FieldPanel("department")]),
              FieldPanel("service_item"),
              FieldRowPanel([FieldPanel("kind"), FieldPanel("permit_name"), FieldPanel("permit_number")]),
              FieldPanel("promise"), FieldPanel("due_date")]

    def get_queryset(self, request):
        """An officer's own departments' commitments (list, inspect, edit, delete, history, usage, chooser)."""
        return CreditCommitment.objects.visible_to(request.user).select_related("subject", "department")

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        class CommitmentForm(form_class):
            def clean(self):
                from django.core.exceptions import ValidationError

                from zhunru.credit.models import CommitmentRule

                data = super().clean()
                subject, jurisdiction = data.get("subject"), data.get("jurisdiction")
                if not for_update and subject and jurisdiction:
                    if not CommitmentRule.allows(subject.credit_class, jurisdiction):
                        raise ValidationError(
                            _("市场主体“{name}”的信用等级为“{get_credit_class_display}”，"
                            "按本辖区规则不得适用告知承诺或容缺受理。").format(name=subject.name, get_credit_class_display=subject.get_credit_class_display()))
                    if subject.on_list("serious"):
                        raise ValidationError(_("市场主体“{name}”在严重违法失信名单内，不得适用告知承诺或容缺受理。").format(name=subject.name))
                return data

        return CommitmentForm


class DishonestyViewSet(ScopedSnippetViewSet):
    model = DishonestyRecord
    icon = "warning"
    menu_label = gettext_lazy("失信记录")
    url_prefix = "credit/dishonesty"
    list_display = ["subject", "document_number", "category", "decided_on", "authority_name"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request):
        return DishonestyRecord.objects.visible_to(request.user).select_related("subject")


class OutboxViewSet(ScopedSnippetViewSet):
    model = OutboundRecord
    icon = "upload"
    menu_label = gettext_lazy("报送发件箱")
    url_prefix = "credit/outbox"
    list_display = ["record_id", "kind", "platform", "status", "ack_id", "rejection_reason", "next_attempt_at",
                    "attempts", "created_at"]
    list_filter = ["status", "kind", "platform"]
    search_fields = ["ack_id", "rejection_reason"]
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [FieldPanel("payload")]  # the coordinator corrects a rejected record, then resends

    def get_queryset(self, request):
        return OutboundRecord.objects.visible_to(request.user).select_related("platform")


class PlatformEditView(EditableObjectMixin, EditView):
    """A national platform (no jurisdiction) is changed by superusers only; others' are never reached."""

    refusal = gettext_lazy("全国信用平台仅超级管理员可以修改。")


class PlatformDeleteView(EditableObjectMixin, DeleteView):
    refusal = PlatformEditView.refusal


class PlatformViewSet(ScopedSnippetViewSet):
    model = CreditPlatform
    icon = "site"
    menu_label = gettext_lazy("信用平台")
    url_prefix = "credit/platforms"
    list_display = ["name", "code", "jurisdiction", "endpoint_url", "enabled", "feed_cursor", "feed_pulled_at"]
    copy_view_enabled = False
    edit_view_class = PlatformEditView
    delete_view_class = PlatformDeleteView

    def get_queryset(self, request):
        return CreditPlatform.objects.visible_to(request.user).select_related("jurisdiction")

    def get_form_class(self, for_update=False):
        return jurisdiction_limited_form(super().get_form_class(for_update=for_update))


class RuleViewSet(ScopedSnippetViewSet):
    model = CommitmentRule
    icon = "cog"
    menu_label = gettext_lazy("告知承诺适用规则")
    url_prefix = "credit/rules"
    list_display = ["jurisdiction", "credit_class", "allowed"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return CommitmentRule.objects.visible_to(request.user).select_related("jurisdiction")


class FeedChangeViewSet(ScopedSnippetViewSet):
    model = FeedChange
    icon = "download"
    menu_label = gettext_lazy("信用状态变更")
    url_prefix = "credit/feed-changes"
    list_display = ["subject", "summary", "platform", "cursor", "applied_at"]
    list_filter = ["platform"]
    inspect_view_enabled = True
    copy_view_enabled = False


class QuarantineViewSet(ScopedSnippetViewSet):
    model = FeedQuarantine
    icon = "warning"
    menu_label = gettext_lazy("隔离的反馈记录")
    url_prefix = "credit/quarantine"
    list_display = ["platform", "cursor", "reason", "received_at", "resolved"]
    list_filter = ["platform", "resolved"]
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [FieldPanel("resolved")]


class ProcedureViewSet(ScopedSnippetViewSet):
    """The breach procedures (read-only listing; the steps are on each procedure's page)."""

    model = BreachProcedure
    icon = "warning"
    menu_label = gettext_lazy("违约处置")
    url_prefix = "credit/procedures"
    list_display = ["notice_number", "commitment", "state", "rectify_by", "statement_by", "decision_number"]
    list_filter = ["state"]
    search_fields = ["notice_number", "decision_number"]
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_queryset(self, request):
        return BreachProcedure.objects.visible_to(request.user).select_related("commitment__subject")


class CreditSettingsViewSet(ScopedSnippetViewSet):
    """Document numbers, seal text and periods of the coordinator's own jurisdictions."""

    model = CreditSettings
    icon = "cog"
    menu_label = gettext_lazy("信用文书设置")
    url_prefix = "credit/settings"
    list_display = ["jurisdiction", "notice_number_format", "decision_number_format", "seal_text",
                    "rectification_working_days", "statement_working_days", "publicity_months"]
    copy_view_enabled = False
    panels = [FieldRowPanel([FieldPanel("notice_number_format"), FieldPanel("decision_number_format")]),
              FieldRowPanel([FieldPanel("seal_text"), FieldPanel("authority_uscc")]),
              FieldRowPanel([FieldPanel("rectification_working_days"), FieldPanel("statement_working_days"),
                             FieldPanel("publicity_months")])]

    def get_queryset(self, request):
        from zhunru.scoping import user_jurisdictions

        for j in user_jurisdictions(request.user).filter(credit_settings__isnull=True):
            CreditSettings.for_jurisdiction(j)
        return CreditSettings.objects.filter(jurisdiction__in=user_jurisdictions(request.user))


class PublicDecisionViewSet(ScopedSnippetViewSet):
    """The 双公示 register: a new decision is validated in the national layout and queued on save."""

    model = PublicDecision
    icon = "list-ul"
    menu_label = gettext_lazy("双公示决定")
    url_prefix = "credit/decisions"
    list_display = ["document_number", "kind", "subject_name", "decided_on", "share_by", "queued_at",
                    "publicity_until", "withdrawn_at"]
    list_filter = ["kind", "subject_category"]
    search_fields = ["document_number", "subject_name", "uscc"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request):
        return PublicDecision.objects.visible_to(request.user)

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        class DecisionForm(form_class):
            def clean(self):
                from django.core.exceptions import ValidationError

                from zhunru.credit import disclosure
                from zhunru.scoping import user_jurisdictions

                data = super().clean()
                user = getattr(self, "for_user", None)
                j = data.get("jurisdiction")
                if j is not None and user is not None and not user.is_superuser and \
                        not user_jurisdictions(user).filter(pk=j.pk).exists():
                    raise ValidationError(_("只能登记本辖区的决定。"))
                if not self.errors:
                    fields = {f.name: data.get(f.name) for f in PublicDecision._meta.concrete_fields
                              if f.name in data}
                    disclosure.validate(PublicDecision(**fields))
                return data

        return DecisionForm


class RepairViewSet(ScopedSnippetViewSet):
    model = RepairApplication
    icon = "repeat"
    menu_label = gettext_lazy("信用修复申请")
    url_prefix = "credit/repairs"
    list_display = ["subject", "record", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request):
        return RepairApplication.objects.visible_to(request.user).select_related("subject", "record")


class CreditGroup(SnippetViewSetGroup):
    items = (MarketSubjectViewSet, CommitmentViewSet, ProcedureViewSet, PublicDecisionViewSet, DishonestyViewSet,
             RepairViewSet, OutboxViewSet, FeedChangeViewSet,
             QuarantineViewSet, PlatformViewSet, RuleViewSet, CreditSettingsViewSet)
    menu_label = gettext_lazy("信用监管")
    menu_icon = "pick"
    menu_name = "zhunru-credit"
    menu_order = 240


register_snippet(CreditGroup)


@hooks.register("register_admin_urls")
def credit_admin_urls():
    return [
        path("credit/subjects/<int:pk>/credit/", views.subject_credit, name="zhunru_credit_subject"),
        path("credit/commitments/<int:pk>/fulfil/", views.fulfil, name="zhunru_credit_fulfil"),
        path("credit/commitments/<int:pk>/procedure/", procedure_views.page, name="zhunru_credit_procedure"),
        path("credit/commitments/<int:pk>/procedure/<slug:action>/", procedure_views.act,
             name="zhunru_credit_procedure_act"),
        path("credit/commitments/<int:pk>/procedure-notice.pdf", procedure_views.notice_pdf,
             name="zhunru_credit_procedure_notice"),
        path("credit/commitments/<int:pk>/procedure-decision.pdf", procedure_views.decision_pdf,
             name="zhunru_credit_procedure_decision"),
        path("credit/outbox/<int:pk>/resend/", views.resend, name="zhunru_credit_resend"),
        path("credit/reconciliation/", views.reconciliation, name="zhunru_credit_reconciliation"),
        path("credit/export.<str:fmt>", views.export, name="zhunru_credit_export"),
        path("credit/repairs/<int:pk>/review/", procedure_views.review_repair, name="zhunru_credit_repair_review"),
        path("credit/decision-import/", procedure_views.import_decisions, name="zhunru_credit_decision_import"),
        path("credit/decisions/<int:pk>/share/", procedure_views.share_decision, name="zhunru_credit_share"),
        path("credit/decisions/<int:pk>/withdraw/", procedure_views.withdraw_decision,
             name="zhunru_credit_withdraw"),
    ]


@hooks.register("register_snippet_listing_buttons")
def credit_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, MarketSubject):
        yield ListingButton(_("信用档案"), reverse("zhunru_credit_subject", args=[snippet.pk]), priority=5,
                            icon_name="history")
    if isinstance(snippet, CreditCommitment) and snippet.status == CreditCommitment.Status.BREACHED:
        yield ListingButton(_("违约处置"), reverse("zhunru_credit_procedure", args=[snippet.pk]), priority=4,
                            icon_name="warning")
    if isinstance(snippet, BreachProcedure):
        yield ListingButton(_("办理"), reverse("zhunru_credit_procedure", args=[snippet.commitment_id]), priority=4,
                            icon_name="edit")
    # Action buttons only for those who may act (the auditor reads): the views refuse the rest.
    decides = user.has_perm("zhunru_credit.change_publicdecision")
    if isinstance(snippet, PublicDecision) and snippet.queued_at is None and decides:
        yield ListingButton(_("报送"), reverse("zhunru_credit_share", args=[snippet.pk]), priority=4, icon_name="upload")
    if isinstance(snippet, PublicDecision) and snippet.queued_at and snippet.withdrawn_at is None and decides:
        yield ListingButton(_("撤下"), reverse("zhunru_credit_withdraw", args=[snippet.pk]), priority=6,
                            icon_name="bin")
    if (isinstance(snippet, RepairApplication) and snippet.status == RepairApplication.Status.PENDING
            and user.has_perm("zhunru_credit.change_repairapplication")):
        yield ListingButton(_("审核"), reverse("zhunru_credit_repair_review", args=[snippet.pk]), priority=4,
                            icon_name="tick")
    if (isinstance(snippet, OutboundRecord) and snippet.status != OutboundRecord.Status.DELIVERED
            and is_coordinator(user)):
        yield ListingButton(_("重新发送"), reverse("zhunru_credit_resend", args=[snippet.pk]), priority=5,
                            icon_name="repeat")


class _CoordinatorMenuItem(MenuItem):
    """Shown to the jurisdiction-wide roles: coordinators, and auditors who read it."""

    def is_shown(self, request):
        return sees_jurisdiction(request.user)


@hooks.register("register_admin_menu_item")
def reconciliation_menu_item():
    return _CoordinatorMenuItem(_("报送对账"), reverse("zhunru_credit_reconciliation"), icon_name="table", order=241)


@hooks.register("after_create_snippet")
def queue_new_decision(request, instance):
    """A decision entered in the admin is queued for the platforms at once (validated by the form)."""
    if isinstance(instance, PublicDecision) and instance.queued_at is None:
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        from zhunru.credit import disclosure

        try:
            disclosure.register(instance, by=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])


class _DecisionImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("zhunru_credit.add_publicdecision")


@hooks.register("register_admin_menu_item")
def decision_import_menu_item():
    return _DecisionImportMenuItem(_("导入双公示决定"), reverse("zhunru_credit_decision_import"), icon_name="upload",
                                   order=242)
