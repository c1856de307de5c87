"""Signals of the portal."""

from django.dispatch import Signal

# Sent after commit when a complaint changes status: ``complaint``, ``previous`` (status), ``by`` (user).
complaint_status_changed = Signal()
