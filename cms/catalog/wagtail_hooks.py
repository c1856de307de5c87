"""Admin of the negative list and service items: snippets with department-scoped permissions, and the
import, diff, activation, screening, review, document and statistics views."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from zhunru.admin_scoping import EditableObjectMixin, ScopedSnippetViewSet
from zhunru.catalog import admin_views
from zhunru.catalog.models import ListEdition, ListItem, RatingFollowUp, ScreeningRule, ServiceItem
from zhunru.compat import register_permission_policy
from zhunru.scoping import user_jurisdictions, visible_departments


class DepartmentScopedPolicy(ModelPermissionPolicy):
    """Model permissions, and on each object: only departments the user may see (their own, or all of
    their jurisdictions for coordinators). Enforced in every generic admin view, not only listings."""

    department_field = "department"
    never = ()

    def _in_scope(self, user, instance) -> bool:
        if user.is_superuser:
            return True
        department_id = getattr(instance, f"{self.department_field}_id")
        return visible_departments(user).filter(pk=department_id).exists()

    def user_has_permission(self, user, action):
        return action not in self.never and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_permission_for(self, user, action):
        qs = super().instances_user_has_permission_for(user, action)
        return qs if user.is_superuser else qs.filter(**{f"{self.department_field}__in": visible_departments(user)})

    def instances_user_has_any_permission_for(self, user, actions):
        qs = super().instances_user_has_any_permission_for(user, actions)
        return qs if user.is_superuser else qs.filter(**{f"{self.department_field}__in": visible_departments(user)})


class FollowUpPolicy(DepartmentScopedPolicy):
    never = ("add", "delete")  # opened by unsatisfied ratings only, never removed


register_permission_policy(ServiceItem, DepartmentScopedPolicy(ServiceItem))
register_permission_policy(RatingFollowUp, FollowUpPolicy(RatingFollowUp))


class ServiceItemForm(WagtailAdminModelForm):
    """Departments and list items a user may choose: their own departments, the current edition's items.
    While an item awaits review its status is the review decision's to change (ServiceItem.review)."""

    STATUS_LOCKED = gettext_lazy("该事项待复核，受理状态只能通过“复核”作出结论后改变。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self._awaits_review():
            self.fields["status"].disabled = True
            self.fields["status"].help_text = self.STATUS_LOCKED
        user = self.for_user
        if user is not None and not user.is_superuser and "department" in self.fields:
            self.fields["department"].queryset = visible_departments(user)
        if "list_items" in self.fields:
            current = ListItem.objects.public()
            if self.instance.pk:
                current = current | self.instance.list_items.all()
            self.fields["list_items"].queryset = current.distinct().select_related("edition")

    def _awaits_review(self) -> bool:
        return bool(self.instance.pk and self.instance.needs_review)

    def clean(self):
        data = super().clean()
        if data.get("list_items") is not None:  # 单外无单: only current 许可准入类 items (links already held stay)
            from zhunru.catalog.single_list import check_list_items

            held = set(self.instance.list_items.values_list("pk", flat=True)) if self.instance.pk else set()
            try:
                check_list_items([i for i in data["list_items"] if i.pk not in held])
            except ValidationError as exc:
                self.add_error("list_items", exc.messages[0])
        # A disabled field ignores what is posted; say so rather than appear to save a status change.
        posted = self.data.get(self.add_prefix("status"))
        if self._awaits_review() and posted is not None and posted != self.instance.status:
            self.add_error("status", self.STATUS_LOCKED)
        return data

    def clean_department(self):
        department = self.cleaned_data["department"]
        user = self.for_user
        if user is not None and not user.is_superuser and not visible_departments(user).filter(pk=department.pk).exists():
            raise ValidationError(_("只能维护本部门的政务服务事项。"))
        return department


class FollowUpForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        follow_up = self.instance
        if "answer" in self.fields and follow_up.due_date:
            text = _("答复期限：{due_date:%Y-%m-%d}").format(due_date=follow_up.due_date)
            if follow_up.is_overdue():
                text += _("（已逾期 {days} 天）").format(days=(timezone.localdate() - follow_up.due_date).days)
            elif follow_up.due_provisional and follow_up.answered_at is None:
                text += _("（临时期限：相关年度节假日安排尚未录入）")
            self.fields["answer"].help_text = text + "。"

    def clean_answer(self):
        answer = (self.cleaned_data.get("answer") or "").strip()
        if not answer:
            raise ValidationError(_("请填写整改答复。"))
        return answer

    def save(self, commit=True):
        from zhunru.audit.recording import record

        first = self.instance.answered_at is None
        self.instance.answered_at = timezone.now()
        self.instance.answered_by = self.for_user
        instance = super().save(commit=commit)
        record(
            "catalog.follow_up_answered",
            obj=instance,
            actor=self.for_user,
            department=instance.department,
            changes={"answer": instance.answer, "first_answer": first},
        )
        return instance


class EditionViewSet(ScopedSnippetViewSet):
    model = ListEdition
    icon = "list-ol"
    list_display = ["name", "effective_date", "is_active", "activated_at"]
    panels = [FieldPanel("name"), FieldPanel("effective_date")]  # activation only through its view


class ItemViewSet(ScopedSnippetViewSet):
    model = ListItem
    icon = "list-ul"
    list_display = ["code", "name", "kind", "edition"]
    list_filter = ["edition", "kind"]
    search_fields = ["code", "name"]


class ServiceItemViewSet(ScopedSnippetViewSet):
    model = ServiceItem
    icon = "tasks"
    list_display = ["name", "department", "status", "published", "needs_review"]
    list_filter = ["status", "published", "needs_review"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel([FieldPanel("department"), FieldPanel("name"), FieldPanel("list_items")], heading=gettext_lazy("事项")),
            MultiFieldPanel(
                [
                    FieldPanel("authority"),
                    FieldPanel("process"),
                    FieldPanel("materials"),
                    FieldPanel("conditions"),
                    FieldPanel("time_limit"),
                    FieldPanel("fees"),
                    FieldPanel("channel"),
                ],
                heading=gettext_lazy("办理信息"),
            ),
            MultiFieldPanel([FieldPanel("status"), FieldPanel("published")], heading=gettext_lazy("状态与发布")),
        ],
        base_form_class=ServiceItemForm,
    )

    def get_queryset(self, request):
        qs = ServiceItem.objects.select_related("department")
        return qs if request.user.is_superuser else qs.filter(department__in=visible_departments(request.user))


def follow_up_due(follow_up) -> str:
    """The due date as the department and coordinators should read it: overdue ones stand out."""
    if follow_up.due_date is None:
        return "—"
    text = f"{follow_up.due_date:%Y-%m-%d}"
    if follow_up.is_overdue():
        days = (timezone.localdate() - follow_up.due_date).days
        return format_html(_('<span style="color:#cd4444">{}（逾期 {} 天未答复）</span>'), text, days)
    return text + (_("（临时）") if follow_up.due_provisional and follow_up.answered_at is None else "")


class FollowUpFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=gettext_lazy("逾期未答复"), method="filter_overdue")

    class Meta:
        model = RatingFollowUp
        fields = ["department"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = RatingFollowUp.objects.overdue(timezone.localdate())
        return queryset.filter(pk__in=overdue.values("pk")) if value else queryset.exclude(pk__in=overdue.values("pk"))


class FollowUpViewSet(ScopedSnippetViewSet):
    model = RatingFollowUp
    icon = "comment"
    list_display = ["rating", "department", Column("due", label=gettext_lazy("答复期限"), accessor=follow_up_due), "answered_at"]
    filterset_class = FollowUpFilterSet
    copy_view_enabled = False
    edit_handler = ObjectList([FieldPanel("answer")], base_form_class=FollowUpForm)

    def get_queryset(self, request):
        # Unanswered first, the longest overdue on top; then the answered ones, latest first.
        qs = (
            RatingFollowUp.objects.select_related("rating__service_item", "department")
            .annotate(_open=Case(When(answered_at__isnull=True, then=Value(0)), default=Value(1),
                                 output_field=IntegerField()))
            .order_by("_open", F("due_date").asc(nulls_last=True), F("answered_at").desc(nulls_last=True), "-pk")
        )
        return qs if request.user.is_superuser else qs.filter(department__in=visible_departments(request.user))


class ScreeningRulePolicy(ModelPermissionPolicy):
    """Model permissions, and on each rule: a national rule (no jurisdiction) is read by everyone with the view
    permission and changed or deleted by superusers only; a jurisdiction's own rules by its people only."""

    def _on(self, user, action):
        rules = ScreeningRule.objects
        return rules.visible_to(user) if action == "view" else rules.editable_by(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._on(user, action).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_permission_for(self, user, action):
        qs = super().instances_user_has_permission_for(user, action)
        return qs.filter(pk__in=self._on(user, action).values("pk"))

    def instances_user_has_any_permission_for(self, user, actions):
        qs = super().instances_user_has_any_permission_for(user, actions)
        allowed = ScreeningRule.objects.none()
        for action in actions:
            if self.user_has_permission(user, action):
                allowed |= self._on(user, action)
        return qs.filter(pk__in=allowed.values("pk"))


register_permission_policy(ScreeningRule, ScreeningRulePolicy(ScreeningRule))


class ScreeningRuleForm(WagtailAdminModelForm):
    """The jurisdiction of a rule: a superuser may leave it empty (a national rule); anyone else keeps rules of
    their own jurisdictions only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user, field = self.for_user, self.fields.get("jurisdiction")
        if field is None or user is None or user.is_superuser:
            return
        field.queryset = user_jurisdictions(user)
        field.required = True
        field.help_text = _("本辖区的规则只用于本辖区的文本；全国通用规则只有超级管理员能修改。")
        if not self.instance.pk and field.queryset.count() == 1:
            field.initial = field.queryset.first().pk


class RuleEditView(EditableObjectMixin, SnippetEditView):
    """Another jurisdiction's rule answers 404; a national rule, which everyone reads, 403 to all but
    superusers."""

    refusal = gettext_lazy("全国通用的筛查规则只有超级管理员可以修改或删除。")


class RuleDeleteView(EditableObjectMixin, SnippetDeleteView):
    refusal = RuleEditView.refusal


class RuleViewSet(ScopedSnippetViewSet):
    model = ScreeningRule
    icon = "search"
    list_display = ["phrase", "category", "basis", "jurisdiction", "is_regex", "enabled"]
    list_filter = ["category", "jurisdiction", "enabled"]
    edit_view_class = RuleEditView
    delete_view_class = RuleDeleteView
    edit_handler = ObjectList(
        [FieldPanel("phrase"), FieldPanel("is_regex"), FieldPanel("category"), FieldPanel("explanation"),
         FieldPanel("basis"), FieldPanel("enabled"),
         # A plain select of the user's jurisdictions (a chooser would show the title of whatever id was posted).
         FieldPanel("jurisdiction", widget=forms.Select)],
        base_form_class=ScreeningRuleForm,
    )

    def get_queryset(self, request):
        return ScreeningRule.objects.visible_to(request.user).select_related("jurisdiction")


class CatalogGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("负面清单与政务服务")
    menu_icon = "list-ul"
    items = (EditionViewSet, ItemViewSet, ServiceItemViewSet, FollowUpViewSet, RuleViewSet)


register_snippet(CatalogGroup)


@hooks.register("register_admin_urls")
def catalog_admin_urls():
    v = admin_views
    return [
        path("catalog/import/", v.edition_import, name="zhunru_catalog_import"),
        path("catalog/editions/<int:pk>/diff/", v.edition_diff, name="zhunru_catalog_edition_diff"),
        path("catalog/editions/<int:pk>/activate/", v.edition_activate, name="zhunru_catalog_edition_activate"),
        path("catalog/screen/", v.screen_free_text, name="zhunru_catalog_screen"),
        path("catalog/screen/page/<int:page_id>/", v.screen_page, name="zhunru_catalog_screen_page"),
        path("catalog/screen/service/<int:pk>/", v.screen_service, name="zhunru_catalog_screen_service"),
        path("catalog/services/<int:pk>/review/", v.service_review, name="zhunru_catalog_service_review"),
        path("catalog/services/<int:pk>/documents/", v.service_documents, name="zhunru_catalog_service_documents"),
        path("catalog/ratings/statistics/", v.rating_statistics, name="zhunru_catalog_rating_statistics"),
    ]


class _PermMenuItem(MenuItem):
    def __init__(self, *args, perm: str = "", **kwargs):
        self.perm = perm
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return not self.perm or request.user.has_perm(self.perm)


@hooks.register("register_admin_menu_item")
def catalog_tools_menu():
    return _PermMenuItem(_("导入负面清单"), reverse("zhunru_catalog_import"), icon_name="upload", order=305,
                         perm="zhunru_catalog.add_listedition")


@hooks.register("register_admin_menu_item")
def screening_menu():
    return _PermMenuItem(_("隐性壁垒筛查"), reverse("zhunru_catalog_screen"), icon_name="search", order=306)


@hooks.register("register_admin_menu_item")
def statistics_menu():
    return _PermMenuItem(_("好差评统计"), reverse("zhunru_catalog_rating_statistics"), icon_name="pick", order=307,
                         perm="zhunru_catalog.view_serviceitem")


@hooks.register("register_snippet_listing_buttons")
def catalog_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, ListEdition):
        yield ListingButton(_("版本差异"), reverse("zhunru_catalog_edition_diff", args=[snippet.pk]), priority=10)
        if not snippet.is_active and user.has_perm("zhunru_catalog.change_listedition"):
            yield ListingButton(_("启用"), reverse("zhunru_catalog_edition_activate", args=[snippet.pk]), priority=11)
    elif isinstance(snippet, ServiceItem):
        yield ListingButton(_("办事指南与示范文本"), reverse("zhunru_catalog_service_documents", args=[snippet.pk]),
                            priority=10)
        yield ListingButton(_("隐性壁垒筛查"), reverse("zhunru_catalog_screen_service", args=[snippet.pk]), priority=11)
        if snippet.needs_review and user.has_perm("zhunru_catalog.change_serviceitem"):
            yield ListingButton(_("复核"), reverse("zhunru_catalog_service_review", args=[snippet.pk]), priority=9)


def _screen_button(page, user):
    if page.specific_class is not None and hasattr(page.specific_class, "body"):
        if page.permissions_for_user(user).can_edit():
            return Button(_("隐性壁垒筛查"), reverse("zhunru_catalog_screen_page", args=[page.pk]), priority=80,
                          icon_name="search")
    return None


@hooks.register("register_page_header_buttons")
def page_header_screen_button(page, user, view_name, next_url=None):
    button = _screen_button(page, user)
    if button is not None:
        yield button


@hooks.register("register_page_listing_more_buttons")
def page_listing_screen_button(page, user, next_url=None):
    button = _screen_button(page, user)
    if button is not None:
        yield button
