from django.apps import AppConfig


class ZhunruPortalConfig(AppConfig):
    name = "cms.portal"
    label = "zhunru_portal"
    verbose_name = "准入 · 公众门户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.auditing import register_app_models

        register_app_models(self)
