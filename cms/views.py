"""Core views: permission-checked attachment downloads."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.models import Attachment
from zhunru.scoping import visible_departments


def user_can_view_attachment(user, attachment: Attachment) -> bool:
    """The owner decides if it can (``attachment_visible_to``); otherwise department scoping does."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    owner = attachment.owner
    check = getattr(owner, "attachment_visible_to", None)
    if check is not None:
        return bool(check(user))
    return attachment.department_id is not None and visible_departments(user).filter(
        pk=attachment.department_id
    ).exists()


def download_attachment(request, uuid):
    attachment = get_object_or_404(Attachment, uuid=uuid)
    if not user_can_view_attachment(request.user, attachment):
        raise PermissionDenied(_("您无权下载该附件。"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件不存在，请联系管理员进行安全检查。"))
    record("attachment.download", obj=attachment, request=request, department=attachment.department)
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.mime_type
    )
