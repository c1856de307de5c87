"""Worker bookkeeping."""

from django.db import models
from django.utils.translation import gettext_lazy


class WorkerHeartbeat(models.Model):
    """Last time a worker processed the heartbeat actor; shows the queue is being consumed."""

    token = models.CharField(gettext_lazy("标识"), max_length=64, unique=True)
    seen_at = models.DateTimeField(gettext_lazy("处理时间"))
    hostname = models.CharField(gettext_lazy("主机"), max_length=255)
    pid = models.PositiveIntegerField(gettext_lazy("进程号"))

    class Meta:
        verbose_name = gettext_lazy("后台任务心跳")
        verbose_name_plural = gettext_lazy("后台任务心跳")

    def __str__(self) -> str:
        return f"{self.token} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
