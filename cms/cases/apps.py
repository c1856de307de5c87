from django.apps import AppConfig


class ZhunruCasesConfig(AppConfig):
    name = "cms.cases"
    label = "zhunru_cases"
    verbose_name = "准入 · 案例"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.auditing import register_app_models

        register_app_models(self)
