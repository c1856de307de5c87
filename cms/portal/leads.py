"""The link from a triaged complaint to the lead tracker (cms.leads), when it offers one.

The lead tracker is another app; the portal calls its documented entry point
``Lead.objects.create_from_complaint(complaint, by=user)`` if it exists, and otherwise keeps the
complaint as "accepted" with no lead reference, to be linked once the tracker is installed.
"""

import logging

from django.apps import apps

log = logging.getLogger(__name__)


def lead_entry_point():
    """``Lead.objects.create_from_complaint`` or None while the lead tracker does not provide it."""
    try:
        lead_model = apps.get_model("zhunru_leads", "Lead")
    except LookupError:
        return None
    return getattr(lead_model.objects, "create_from_complaint", None)


def create_lead_from_complaint(complaint, *, by, request=None) -> str:
    """Create the lead for an accepted complaint; return its number ("" when no tracker).

    Only what was reported goes over: never the complainant's contact details (the lead names the
    complaint by its receipt code; coordinators find the contact on the complaint itself).
    """
    create = lead_entry_point()
    if create is None:
        log.info("lead tracker has no create_from_complaint; complaint %s accepted without a lead", complaint.pk)
        return ""
    description = complaint.description
    if complaint.document_or_practice:
        description += f"\n\n涉及文件或做法：{complaint.document_or_practice}"
    lead = create(
        complaint,
        by=by,
        request=request,
        title=f"公众反映：{complaint.organization}"[:200],
        description=description,
    )
    return str(getattr(lead, "number", "") or lead.pk)
