"""In-admin notifications (提醒): one row per recipient and key, so nothing is sent twice."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    wagtail_reference_index_ignore = True  # high-volume rows: not worth Wagtail's usage index

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="zhunru_notifications"
    )
    key = models.CharField("去重键", max_length=200, help_text="同一接收人同一键只通知一次。")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "站内提醒"
        verbose_name_plural = "站内提醒"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="zhunru_notification_once_per_key")]

    def __str__(self) -> str:
        return self.subject
