from django.apps import AppConfig


class ZhunruWorkersConfig(AppConfig):
    name = "zhunru.workers"
    label = "zhunru_workers"
    verbose_name = "准入 · 后台任务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru.workers import signal_handlers

        signal_handlers.connect()
