"""PDF forms of a lead, served from its 办理过程 page to whoever may see the lead (404 otherwise)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.leads import forms_pdf
from zhunru.leads.models import Escalation, Extension, Lead
from zhunru.printing import pdf_response


def _printed(request, obj, lead, form: str, data: bytes, filename: str):
    record("lead.print", obj=lead, actor=request.user, request=request, changes={"form": form, "object": str(obj.pk)})
    return pdf_response(data, filename)


def transfer_form(request, pk: int):
    lead = get_object_or_404(Lead.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk)
    return _printed(request, lead, lead, _("线索交办单"), forms_pdf.transfer_form(lead), f"lead-{lead.pk}-transfer.pdf")


def escalation_form(request, pk: int):
    escalation = get_object_or_404(
        Escalation.objects.filter(lead__in=Lead.objects.visible_to(request.user)).select_related("lead", "stage"), pk=pk)
    return _printed(request, escalation, escalation.lead, _("线索督办单"), forms_pdf.escalation_form(escalation),
                    f"lead-{escalation.lead_id}-escalation-{escalation.level}.pdf")


def extension_form(request, pk: int):
    extension = get_object_or_404(
        Extension.objects.filter(lead__in=Lead.objects.visible_to(request.user)).select_related("lead", "stage"), pk=pk)
    return _printed(request, extension, extension.lead, _("延期申请表"), forms_pdf.extension_form(extension),
                    f"lead-{extension.lead_id}-extension-{extension.pk}.pdf")
