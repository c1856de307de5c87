from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruCmsConfig(AppConfig):
    name = "zhunru"
    label = "zhunru_cms"
    verbose_name = gettext_lazy("准入 · 基础数据")
    default_auto_field = "django.db.models.BigAutoField"

    def __init__(self, app_name, app_module):
        super().__init__(app_name, app_module)
        from zhunru.conf import apply_defaults

        # Now, while Django creates app configs: django_dramatiq (after us in ZHUNRU_APPS) reads
        # DRAMATIQ_BROKER in its AppConfig's __init__.
        apply_defaults()

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhunru import checks, roles, user_admin  # noqa: F401  (system checks; 本辖区用户 admin hooks)
        from zhunru.auditing import register_app_models
        from zhunru.compat import define_page_model_setting

        define_page_model_setting()  # Wagtail 7: what migrations made on Wagtail 8 refer to

        register_app_models(self, exclude=["Attachment"])
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="zhunru_sync_roles")
        roles.connect_membership_signals()
