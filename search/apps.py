"""准入 · 全文检索"""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruSearchConfig(AppConfig):
    name = "zhunru.search"
    label = "zhunru_search"
    verbose_name = gettext_lazy("准入 · 全文检索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru.auditing import register_app_models

        # The outbox changes on every content save: auditing it would only double the audit log.
        register_app_models(self, exclude=["IndexTask"])

        from zhunru.search import checks, signal_handlers  # noqa: F401  (checks register themselves)

        signal_handlers.connect()
