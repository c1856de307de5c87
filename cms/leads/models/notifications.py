"""Notifications (提醒): the in-admin inbox and the e-mail outbox in one table.

One row per recipient and key, so nothing is sent twice. A row is written in the transaction of the
change it reports; its e-mail goes out later through the relay (``zhunru.leads.notifications.relay``),
which reads these rows, never a message payload: a broker or mail server outage delays an e-mail,
it never loses one. A row addressed to a mailbox without a user (a complainant) has no recipient and
is not shown in anyone's inbox.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_due(self, now):
        """Rows whose e-mail should be (re)tried now: pending, or claimed by a sender whose lease ran out."""
        return self.filter(email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.SENDING]).filter(
            Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now))

    def email_backlog(self):
        return self.filter(email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.SENDING])


class Notification(models.Model):
    wagtail_reference_index_ignore = True  # high-volume rows: not worth Wagtail's usage index

    class EmailStatus(models.TextChoices):
        PENDING = "pending", gettext_lazy("待发送")
        SENDING = "sending", gettext_lazy("发送中")
        SENT = "sent", gettext_lazy("已发送")
        FAILED = "failed", gettext_lazy("发送失败")
        NO_ADDRESS = "no_address", gettext_lazy("无邮箱，仅站内提醒")
        DIGEST = "digest", gettext_lazy("待每日汇总发送")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("接收人"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="zhunru_notifications",
    )
    address = models.EmailField(gettext_lazy("收件邮箱"), blank=True, help_text=gettext_lazy("无账号的收件人（如反映人）的邮箱。"))
    key = models.CharField(gettext_lazy("去重键"), max_length=200, help_text=gettext_lazy("同一接收人同一键只通知一次。"))
    subject = models.CharField(gettext_lazy("标题"), max_length=200)
    body = models.TextField(gettext_lazy("内容"))
    url = models.CharField(gettext_lazy("链接"), max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True, db_index=True)
    email_status = models.CharField(gettext_lazy("邮件状态"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(gettext_lazy("邮件发送次数"), default=0)
    email_next_attempt_at = models.DateTimeField(gettext_lazy("下次发送时间"), null=True, blank=True)
    email_error = models.TextField(gettext_lazy("邮件错误"), blank=True)
    emailed_at = models.DateTimeField(gettext_lazy("邮件发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(gettext_lazy("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("站内提醒")
        verbose_name_plural = gettext_lazy("站内提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="zhunru_notification_once_per_key"),
            models.UniqueConstraint(fields=["address", "key"], condition=Q(recipient__isnull=True),
                                    name="zhunru_notification_address_once_per_key"),
            models.CheckConstraint(condition=Q(recipient__isnull=False) | ~Q(address=""),
                                   name="zhunru_notification_has_someone"),
        ]
        indexes = [
            models.Index(fields=["email_next_attempt_at", "id"], name="zhunru_notification_email_due",
                         condition=Q(email_status__in=["pending", "sending"])),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def email_address(self) -> str:
        return self.address or (self.recipient.email if self.recipient_id else "")


class NotificationPreference(models.Model):
    """How a person wants their notification e-mails: each at once, or one daily digest (in-app is always at once)."""

    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", gettext_lazy("每条提醒立即发送邮件")
        DIGEST = "digest", gettext_lazy("每天汇总发送一封邮件")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("用户"), on_delete=models.CASCADE,
                                related_name="zhunru_notification_preference")
    email_mode = models.CharField(gettext_lazy("邮件提醒方式"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)

    class Meta:
        verbose_name = gettext_lazy("提醒方式")
        verbose_name_plural = gettext_lazy("提醒方式")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_email_mode_display()}"

    @classmethod
    def digest_user_ids(cls, user_ids) -> set:
        return set(cls.objects.filter(user_id__in=list(user_ids), email_mode=cls.EmailMode.DIGEST)
                   .values_list("user_id", flat=True))
