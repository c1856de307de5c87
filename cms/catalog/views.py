"""Public download of published service guides and model texts (办事指南、示范文本)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from zhunru.catalog.models import ServiceDocumentVersion


def download_document(request, pk: int):
    """Serve a published version's file to anyone; drafts only to the owning department (and audit it)."""
    from zhunru.audit.recording import record
    from zhunru.views import user_can_view_attachment

    doc = get_object_or_404(
        ServiceDocumentVersion.objects.select_related("service_item", "attachment"), pk=pk
    )
    if doc.attachment is None:
        raise Http404(_("该版本没有可下载的文件。"))
    if not doc.is_public() and not user_can_view_attachment(request.user, doc.attachment):
        raise Http404(_("文件不存在或尚未发布。"))
    try:
        handle = doc.attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在，请联系管理员。"))
    if not doc.is_public():
        record(
            "attachment.download",
            obj=doc.attachment,
            request=request,
            department=doc.service_item.department,
        )
    return FileResponse(
        handle, as_attachment=True, filename=doc.attachment.original_name, content_type=doc.attachment.mime_type
    )
