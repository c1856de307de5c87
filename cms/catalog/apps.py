from django.apps import AppConfig


class ZhunruCatalogConfig(AppConfig):
    name = "cms.catalog"
    label = "zhunru_catalog"
    verbose_name = "准入 · 负面清单与政务服务事项"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.auditing import register_app_models

        register_app_models(self)
