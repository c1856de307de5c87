from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SecurityConfig(AppConfig):
    name = "zhunru.security"
    label = "zhunru_security"
    verbose_name = gettext_lazy("准入 · 安全")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru.security import checks, signal_handlers  # noqa: F401 (checks register themselves)

        signal_handlers.connect()
