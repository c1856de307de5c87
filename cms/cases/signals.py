"""Signals of the case register, sent after each life-cycle step inside its transaction."""

from django.dispatch import Signal

# Sent with ``case``, ``action`` ("register", "start_review", "archive") and ``user``.
case_transitioned = Signal()
