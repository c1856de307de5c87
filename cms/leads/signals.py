"""Signals of the lead tracker."""

from django.dispatch import Signal

# Sent after every state transition with ``lead``, ``action`` and ``event`` (a LeadEvent).
lead_transitioned = Signal()
# Sent after open stages' due times were recomputed because the calendar changed; ``count``.
due_times_recomputed = Signal()
# Sent after commit with ``ids`` of new notifications whose e-mail is due; zhunru.workers enqueues the relay.
notifications_queued = Signal()
