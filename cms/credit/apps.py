from django.apps import AppConfig


class ZhunruCreditConfig(AppConfig):
    name = "cms.credit"
    label = "zhunru_credit"
    verbose_name = "准入 · 信用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.auditing import register_app_models

        register_app_models(self)
