from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AuditConfig(AppConfig):
    name = "zhunru.audit"
    label = "zhunru_audit"
    verbose_name = gettext_lazy("准入 · 审计日志")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru.audit import checks, signal_handlers  # noqa: F401 (checks register themselves)
        from zhunru.auditing import register_auth_models

        register_auth_models()
        signal_handlers.connect()
