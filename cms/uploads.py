"""Upload validation by content (not extension) and size, and storing files as Attachments."""

import hashlib
from dataclasses import dataclass

import filetype
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru import conf

# Types accepted for evidence and case files, keyed by the MIME type detected from content.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": gettext_lazy("PDF 文档"),
    "image/jpeg": gettext_lazy("JPEG 图片"),
    "image/png": gettext_lazy("PNG 图片"),
    "image/gif": gettext_lazy("GIF 图片"),
    "image/webp": gettext_lazy("WebP 图片"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy("Word 文档"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy("Excel 表格"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": gettext_lazy("PowerPoint 演示文稿"),
    "application/msword": gettext_lazy("Word 97-2003 文档"),
    "application/vnd.ms-excel": gettext_lazy("Excel 97-2003 表格"),
    "application/vnd.oasis.opendocument.text": gettext_lazy("OpenDocument 文本"),
}
# What each type's file name may end with, so a forged extension is refused too.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.oasis.opendocument.text": (".odt",),
}
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True)
class CheckedUpload:
    mime_type: str
    size: int
    sha256: str


def detect_mime(head: bytes, name: str) -> str | None:
    """The MIME type the file's bytes show, or None if it is none we accept."""
    if head.startswith(_OLE_MAGIC):  # legacy Office: the container says OLE, the name says which
        return "application/vnd.ms-excel" if name.lower().endswith(".xls") else "application/msword"
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def check_upload(upload: UploadedFile, max_bytes: int | None = None) -> CheckedUpload:
    """Validate an upload's size and real type; raise ValidationError with a Chinese message."""
    limit = max_bytes or conf.upload_max_bytes()
    name = upload.name or ""
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size).1f MB，超过 %(limit).0f MB 的上限。"),
            code="too_large",
            params={"name": name, "size": upload.size / 1048576, "limit": limit / 1048576},
        )
    if not upload.size:
        raise ValidationError(_("文件“%(name)s”为空。"), code="empty", params={"name": name})
    upload.seek(0)
    head = upload.read(8192)
    mime = detect_mime(head, name)
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("文件“%(name)s”的内容不是允许的类型（PDF、图片或 Office 文档）。"),
            code="bad_type",
            params={"name": name},
        )
    if not name.lower().endswith(EXTENSIONS[mime]):
        raise ValidationError(
            _("文件“%(name)s”的扩展名与内容不符（内容为%(kind)s）。"),
            code="extension_mismatch",
            params={"name": name, "kind": ALLOWED_TYPES[mime]},
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(mime_type=mime, size=upload.size, sha256=digest.hexdigest())


def store_attachment(
    upload: UploadedFile,
    owner: models.Model,
    *,
    user=None,
    department=None,
    purpose: str = "",
    max_bytes: int | None = None,
):
    """Validate an upload and save it as a private Attachment of ``owner``."""
    from zhunru.models import Attachment

    checked = check_upload(upload, max_bytes=max_bytes)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=str(owner.pk),
        department=department,
        purpose=purpose,
        original_name=(upload.name or "file")[:255],
        mime_type=checked.mime_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    attachment.save()
    return attachment


def file_sha256(attachment) -> str | None:
    """Recompute a stored attachment's SHA-256; None when the file is missing."""
    digest = hashlib.sha256()
    try:
        with attachment.file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()
