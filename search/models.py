"""Models of 准入 · 全文检索: the index outbox and the administrator-maintained synonyms."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class IndexTaskQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True)

    def due(self, now=None):
        """Pending tasks whose next attempt time has come."""
        now = now or timezone.now()
        return self.pending().filter(next_attempt_at__lte=now)


class IndexTask(models.Model):
    """An outbox row: "bring the index copy of this document up to date", written with the content change."""

    class Action(models.TextChoices):
        INDEX = "index", gettext_lazy("更新索引")
        DELETE = "delete", gettext_lazy("删除索引")

    source = models.CharField(gettext_lazy("内容类型"), max_length=40)
    object_pk = models.CharField(gettext_lazy("对象主键"), max_length=64)
    action = models.CharField(gettext_lazy("操作"), max_length=10, choices=Action.choices, default=Action.INDEX)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(gettext_lazy("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(gettext_lazy("下次尝试时间"), default=timezone.now, db_index=True)
    last_error = models.TextField(gettext_lazy("最近错误"), blank=True)
    done_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True, db_index=True)

    objects = IndexTaskQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("索引任务")
        verbose_name_plural = gettext_lazy("索引任务")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["source", "object_pk"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.doc_id}"

    @property
    def doc_id(self) -> str:
        return f"{self.source}:{self.object_pk}"

    def backoff(self) -> timedelta:
        """Exponential backoff after ``attempts`` failures: 10 s, 20 s, 40 s … capped at one hour."""
        return timedelta(seconds=min(3600, 10 * 2 ** max(0, self.attempts - 1)))


def _split_terms(value: str) -> list[str]:
    import re

    return [t.strip() for t in re.split(r"[=＝,，;；、\s]+", value or "") if t.strip()]


class Synonym(models.Model):
    """A group of equivalent terms (abbreviations, full names); a query for one finds the others."""

    terms = models.CharField(
        gettext_lazy("同义词组"), max_length=500, unique=True,
        help_text=gettext_lazy("用“=”分隔等价的写法，如：发改委 = 发展改革委 = 发展和改革委员会。"),
    )
    note = models.CharField(gettext_lazy("说明"), max_length=200, blank=True)
    enabled = models.BooleanField(gettext_lazy("启用"), default=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("同义词")
        verbose_name_plural = gettext_lazy("同义词")
        ordering = ["id"]

    def __str__(self) -> str:
        return " = ".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return _split_terms(self.terms)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if len(set(self.term_list)) < 2:
            raise ValidationError({"terms": _("同义词组至少需要两个不同的写法，用“=”分隔。")})
        self.terms = " = ".join(dict.fromkeys(self.term_list))
