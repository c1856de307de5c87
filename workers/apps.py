from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruWorkersConfig(AppConfig):
    name = "zhunru.workers"
    label = "zhunru_workers"
    verbose_name = gettext_lazy("准入 · 后台任务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru.workers import signal_handlers

        signal_handlers.connect()
