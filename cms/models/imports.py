"""Per-file progress of an import written in batches (zhunru.imports)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class ImportRun(models.Model):
    """One run of an import: what it writes to, which file, and whether it finished.

    Rows it wrote point back at it (``PublicDecision.import_run``), so a re-run of the same file after a
    crash skips them; an unfinished run of a list edition keeps that edition from being activated.
    """

    class State(models.TextChoices):
        RUNNING = "running", gettext_lazy("导入中（或已中断）")
        FINISHED = "finished", gettext_lazy("已完成")
        SUPERSEDED = "superseded", gettext_lazy("已被新的导入取代")

    kind = models.CharField(gettext_lazy("导入类型"), max_length=40)
    target = models.CharField(gettext_lazy("导入目标"), max_length=100, help_text=gettext_lazy("如清单版本或辖区的编号。"))
    file_sha256 = models.CharField(gettext_lazy("文件摘要（SHA-256）"), max_length=64)
    file_name = models.CharField(gettext_lazy("文件名"), max_length=255, blank=True)
    planned = models.PositiveIntegerField(gettext_lazy("计划写入"), default=0)
    state = models.CharField(gettext_lazy("状态"), max_length=20, choices=State.choices, default=State.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("导入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(gettext_lazy("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(gettext_lazy("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("导入记录")
        verbose_name_plural = gettext_lazy("导入记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["kind", "target", "state"], name="zhunru_importrun_target")]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} {self.file_name or self.file_sha256[:12]}（{self.get_state_display()}）"

    def finish(self) -> None:
        self.state, self.finished_at = self.State.FINISHED, timezone.now()
        self.save(update_fields=["state", "finished_at"])
