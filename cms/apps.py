from django.apps import AppConfig


class ZhunruCmsConfig(AppConfig):
    name = "zhunru"
    label = "zhunru_cms"
    verbose_name = "准入 · 基础数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhunru import roles
        from zhunru.auditing import register_app_models
        from zhunru.compat import define_page_model_setting

        define_page_model_setting()  # Wagtail 7: what migrations made on Wagtail 8 refer to

        register_app_models(self, exclude=["Attachment"])
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="zhunru_sync_roles")
