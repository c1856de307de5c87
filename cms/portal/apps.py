from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruPortalConfig(AppConfig):
    name = "zhunru.portal"
    label = "zhunru_portal"
    verbose_name = gettext_lazy("准入 · 公众门户")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhunru import roles
        from zhunru.auditing import register_app_models
        from zhunru.portal.models import Complaint

        # Contact details are confidential: keep them out of django-auditlog's change records.
        if not auditlog.contains(Complaint):
            auditlog.register(Complaint, exclude_fields=list(Complaint.CONTACT_FIELDS))
        register_app_models(self)
        from zhunru.portal.caching import connect_signals

        connect_signals()  # publishing, unpublishing and the records pages show invalidate the page cache
        roles.grant(
            roles.COORDINATOR,
            [
                "zhunru_portal.view_complaint",
                "zhunru_portal.change_complaint",
                "zhunru_portal.view_hotline",
                "zhunru_portal.add_hotline",
                "zhunru_portal.change_hotline",
                "zhunru_portal.delete_hotline",
            ],
        )
