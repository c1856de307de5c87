"""The audit timeline in the Wagtail admin (审计日志)."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from zhunru.admin_scoping import InspectDisplayMixin
from zhunru.audit.models import AuditEvent
from zhunru.audit.views import AuditEventFilterSet, AuditEventIndexView, ReadOnlyAuditPolicy
from zhunru.compat import PermissionPolicyViewSetMixin, register_permission_policy

register_permission_policy(AuditEvent, ReadOnlyAuditPolicy(AuditEvent))


class AuditEventInspectView(InspectDisplayMixin, InspectView):
    pass


class AuditEventViewSet(PermissionPolicyViewSetMixin, ModelViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = "审计日志"
    menu_order = 950
    add_to_admin_menu = True
    index_view_class = AuditEventIndexView
    inspect_view_enabled = True
    inspect_view_class = AuditEventInspectView
    filterset_class = AuditEventFilterSet
    list_display = [Column("sequence", label="序号", accessor="sequence_label", sort_key="sequence"), "timestamp", "actor_repr", "ip", "action", "object_type", "object_repr", "department_name"]
    list_export = [
        "sequence", "timestamp", "actor_repr", "ip", "action", "object_type", "object_id", "object_repr",
        "department_name", "changes", "note", "prev_hash", "hash",
    ]
    inspect_view_fields = [
        "sequence", "timestamp", "actor_repr", "ip", "action", "object_type", "object_id", "object_repr",
        "department_name", "changes", "note", "prev_hash", "hash",
    ]
    export_filename = "audit-log"
    ordering = ["-sequence"]
    list_per_page = 50
    form_fields = ["note"]  # required by ModelViewSet; the policy forbids every edit view


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditEventViewSet("audit_events")
