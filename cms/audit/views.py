"""The coordinators' audit timeline: read-only, filterable, exportable (and the export is itself audited)."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.generic import IndexView
from wagtail.permission_policies import ModelPermissionPolicy

from zhunru import roles
from zhunru.audit.models import AuditEvent, changes_text
from zhunru.audit.recording import record
from zhunru.clock import format_datetime
from zhunru.exports import SafeSpreadsheetExportMixin
from zhunru.scoping import get_visible_or_404, scope_choices, user_jurisdictions


class ReadOnlyAuditPolicy(ModelPermissionPolicy):
    """Viewing needs zhunru_audit.view_auditevent and a jurisdiction-wide role (coordinator, auditor): the
    timeline is not scoped by department, so the permission given directly to a department's officer opens
    nothing. Nobody may add, change or delete entries."""

    def user_has_permission(self, user, action):
        if action != "view":
            return False
        # Coordinators and auditors (the jurisdiction-wide roles that may read, zhunru.scoping.sees_jurisdiction).
        return super().user_has_permission(user, action) and (
            roles.has_role(user, roles.COORDINATOR) or roles.has_role(user, roles.AUDITOR))

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


def visible_actors(user):
    """Whom the actor facet offers: every user to superusers, else the people of the user's jurisdictions."""
    users = get_user_model().objects.all()
    if user is None or user.is_superuser:
        return users
    return users.filter(department_memberships__department__jurisdiction__in=user_jurisdictions(user)).distinct()


class AuditEventFilterSet(WagtailFilterSet):
    actor = django_filters.ModelChoiceFilter(label=gettext_lazy("操作人"), queryset=get_user_model().objects.all())
    action = django_filters.CharFilter(label=gettext_lazy("操作"), lookup_expr="icontains")
    object_type = django_filters.CharFilter(label=gettext_lazy("对象类型"), lookup_expr="icontains")
    object_id = django_filters.CharFilter(label=gettext_lazy("对象 ID"))
    timestamp = django_filters.DateFromToRangeFilter(label=gettext_lazy("时间"), widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = ["actor", "department", "action", "object_type", "object_id", "timestamp"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["actor"].queryset = visible_actors(user)
        self.filters["department"].queryset = scope_choices(self.filters["department"].queryset, user)


class VisibleAuditEventsMixin:
    """The timeline, its results and its exports read only ``AuditEvent.objects.visible_to(user)``: a
    coordinator or auditor sees their jurisdictions' events, a superuser every event (and the events that
    belong to no jurisdiction)."""

    def get_base_queryset(self):
        return AuditEvent.objects.visible_to(self.request.user)


class VisibleAuditEventMixin:
    """One event (inspect, history, usage …) only when it is ``visible_to`` the user; another jurisdiction's
    answers 404 and the attempt is audited."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        return get_visible_or_404(AuditEvent, self.request, pk=obj.pk)


class AuditEventIndexView(VisibleAuditEventsMixin, SafeSpreadsheetExportMixin, IndexView):
    # CSV and XLSX show times as the admin does: Beijing time, 2026年12月4日 14:05 (Wagtail writes UTC).
    custom_field_preprocess = {
        "timestamp": {IndexView.FORMAT_CSV: format_datetime, IndexView.FORMAT_XLSX: format_datetime},
        "changes": {IndexView.FORMAT_CSV: changes_text, IndexView.FORMAT_XLSX: changes_text},
    }

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            record(
                "audit.export",
                request=self.request,
                object_type="zhunru_audit.auditevent",
                note=_("导出审计日志（{value}，筛选：{urlencode}）").format(value=self.request.GET.get('export'), urlencode=self.request.GET.urlencode()),
            )
        return super().render_to_response(context, **response_kwargs)
