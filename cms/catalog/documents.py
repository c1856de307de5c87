"""Versioned service guides and model texts: a new version gets the next number and an optional file."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction


def next_version(service_item, kind: str) -> int:
    last = service_item.documents.filter(kind=kind).order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def add_version(
    service_item, kind: str, *, effective_date, change_note: str = "", body: str = "", upload=None, user=None,
    publish: bool = False,
):
    """Create the next version of a guide or model text; the upload is checked by content and size."""
    from zhunru.audit.recording import record
    from zhunru.catalog.models import ServiceDocumentVersion
    from zhunru.uploads import store_attachment

    with transaction.atomic():
        doc = ServiceDocumentVersion.objects.create(
            service_item=service_item,
            kind=kind,
            version=next_version(service_item, kind),
            effective_date=effective_date,
            change_note=change_note,
            body=body,
            published=publish,
        )
        if upload is not None:
            doc.attachment = store_attachment(
                upload, doc, user=user, department=service_item.department, purpose=doc.get_kind_display()
            )
            doc.save(update_fields=["attachment"])
        record(
            "catalog.document_version_added",
            obj=doc,
            actor=user,
            department=service_item.department,
            changes={"kind": kind, "version": doc.version, "published": publish, "file": bool(upload)},
        )
    return doc


def text_pdf(title: str, body: str) -> bytes:
    """A plain A4 PDF of a title and paragraphs (demo guides and model texts)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from zhunru.cases.exports import _esc, _styles

    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title)
    story = [Paragraph(_esc(title), styles["title"]), Spacer(1, 12)]
    story += [Paragraph(_esc(p), styles["indent"]) for p in body.splitlines() if p.strip()]
    doc.build(story)
    return out.getvalue()


def pdf_upload(name: str, title: str, body: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text_pdf(title, body), content_type="application/pdf")
