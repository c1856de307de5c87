from django.apps import AppConfig


class ZhunruSearchConfig(AppConfig):
    name = "search"
    label = "zhunru_search"
    verbose_name = "准入 · 全文检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.auditing import register_app_models

        register_app_models(self)
