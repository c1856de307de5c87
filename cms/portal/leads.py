"""The link from a triaged complaint to the lead tracker (zhunru.leads), when it offers one.

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
    # The tracker titles the lead from the organisation and document, and copies the description.
    lead = create(complaint, by=by, request=request)
    return str(getattr(lead, "number", "") or lead.pk)
