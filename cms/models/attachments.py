"""Private files (evidence, case files, complaint attachments) with a recorded SHA-256."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy


class PrivateStorage(LazyObject):
    """Storage outside MEDIA_ROOT with no public URL; files are served by a permission-checked view."""

    def _setup(self):
        from zhunru import conf

        self._wrapped = FileSystemStorage(location=conf.private_media_root(), base_url=None)


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """The storage as a callable, so migrations refer to it instead of freezing a settings path."""
    return private_storage


def attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:10]
    return f"attachments/{instance.uploaded_at:%Y/%m}/{instance.uuid}{suffix}"


class Attachment(models.Model):
    """A file attached to any object (a lead stage, a case, a complaint), owned by a department."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    owner = GenericForeignKey("content_type", "object_id")
    department = models.ForeignKey(
        "zhunru_cms.Department",
        verbose_name=gettext_lazy("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    purpose = models.CharField(gettext_lazy("用途"), max_length=50, blank=True, help_text=gettext_lazy("如“核查印证材料”“整改印证材料”。"))
    file = models.FileField(gettext_lazy("文件"), storage=get_private_storage, upload_to=attachment_path, max_length=255)
    original_name = models.CharField(gettext_lazy("原文件名"), max_length=255)
    mime_type = models.CharField(gettext_lazy("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(gettext_lazy("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("上传人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(gettext_lazy("上传时间"))

    class Meta:
        verbose_name = gettext_lazy("附件")
        verbose_name_plural = gettext_lazy("附件")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.original_name
