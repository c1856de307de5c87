"""The coordinators' audit timeline: read-only, filterable, exportable (and the export is itself audited)."""

import django_filters
from django.contrib.auth import get_user_model
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.generic import IndexView
from wagtail.permission_policies import ModelPermissionPolicy

from zhunru.audit.models import AuditEvent, changes_text
from zhunru.audit.recording import record
from zhunru.clock import format_datetime
from zhunru.exports import SafeSpreadsheetExportMixin
from zhunru.scoping import is_coordinator


class ReadOnlyAuditPolicy(ModelPermissionPolicy):
    """Viewing needs zhunru_audit.view_auditevent and a jurisdiction-wide role (coordinator, auditor): the
    timeline is not scoped by department, so the permission given directly to a department's officer opens
    nothing. Nobody may add, change or delete entries."""

    def user_has_permission(self, user, action):
        if action != "view":
            return False
        return super().user_has_permission(user, action) and is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


class AuditEventFilterSet(WagtailFilterSet):
    actor = django_filters.ModelChoiceFilter(label="操作人", queryset=get_user_model().objects.all())
    action = django_filters.CharFilter(label="操作", lookup_expr="icontains")
    object_type = django_filters.CharFilter(label="对象类型", lookup_expr="icontains")
    object_id = django_filters.CharFilter(label="对象 ID")
    timestamp = django_filters.DateFromToRangeFilter(label="时间", widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = ["actor", "department", "action", "object_type", "object_id", "timestamp"]


class AuditEventIndexView(SafeSpreadsheetExportMixin, IndexView):
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
                note=f"导出审计日志（{self.request.GET.get('export')}，筛选：{self.request.GET.urlencode()}）",
            )
        return super().render_to_response(context, **response_kwargs)
