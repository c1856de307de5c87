from django.apps import AppConfig


class ZhunruLeadsConfig(AppConfig):
    name = "cms.leads"
    label = "zhunru_leads"
    verbose_name = "准入 · 线索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.auditing import register_app_models

        register_app_models(self)
