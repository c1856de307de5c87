"""The audit timeline in the Wagtail admin (审计日志)."""

from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from zhunru.admin_scoping import InspectDisplayMixin
from zhunru.audit.models import AuditEvent
from zhunru.audit.views import (
    AuditEventFilterSet,
    AuditEventIndexView,
    ReadOnlyAuditPolicy,
    VisibleAuditEventMixin,
)
from zhunru.compat import PermissionPolicyViewSetMixin, register_permission_policy

register_permission_policy(AuditEvent, ReadOnlyAuditPolicy(AuditEvent))


class AuditEventInspectView(InspectDisplayMixin, InspectView):
    pass


# Views that do not load one existing event.
NO_OBJECT_VIEWS = {"index_view_class", "add_view_class", "reorder_view_class"}


class AuditEventViewSet(PermissionPolicyViewSetMixin, ModelViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = gettext_lazy("审计日志")
    menu_order = 950
    add_to_admin_menu = True
    index_view_class = AuditEventIndexView
    inspect_view_enabled = True
    inspect_view_class = AuditEventInspectView
    filterset_class = AuditEventFilterSet
    list_display = [Column("sequence", label=gettext_lazy("序号"), accessor="sequence_label", sort_key="sequence"), "timestamp", "actor_repr", "ip", "action", "object_type", "object_repr", "department_name"]
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every view that loads one event (inspect, history, usage, and the edit/delete/copy the policy refuses)
        # loads it through AuditEvent.objects.visible_to(user).
        for name in dir(type(self)):
            if not name.endswith("_view_class") or name in NO_OBJECT_VIEWS:
                continue
            view_class = getattr(self, name)
            if (isinstance(view_class, type) and hasattr(view_class, "get_object")
                    and not issubclass(view_class, VisibleAuditEventMixin)):
                setattr(self, name, type(f"Visible{view_class.__name__}", (VisibleAuditEventMixin, view_class),
                                         {"__module__": __name__}))


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditEventViewSet("audit_events")
